# SPDX-License-Identifier: EUPL-1.2
"""How fast a flow is read and checked: the typed reader against the JSON Schema one.

Writes a permit flow of N synthetic records with realistic values (a few in a thousand with an
impossible date, so that both readers have problems to report), then reads the same file twice,
each time in a fresh process so that each peak memory is its own:

- the reader (`read_flow`): each line decoded into its msgspec struct, the schema only on the
  lines the struct refuses;
- the JSON Schema path, the reader as it was before the structs: `json.loads` and
  `check_with_schema` (the schema validator, the reason codes, the codice fiscale check
  character, duplicate ids) on every line, hashing the bytes as the reader does.

Both must find the same problems. Prints records per second and peak resident memory of each.

    python benchmarks/flow_reader.py                    # 200,000 records
    python benchmarks/flow_reader.py --records 1000000
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import random
import resource
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from interscambio.core import codes
from interscambio.core.flows import FlowWriter, Header, Period, read_flow
from interscambio.core.flows.reader import check_with_schema
from interscambio.core.flows.records import Domicilio, PermitRecord, Titolare, to_dict
from interscambio.core.identity.codice_fiscale import encode

PEOPLE = [
    ("EL AMRANI", "YOUSSEF", "M", "MAROCCO", "Z330", "MAR"),
    ("ZHANG", "WEI", "M", "CINA", "Z210", "CHN"),
    ("张", "伟", "F", "CINA", "Z210", "CHN"),
    ("QUISPE MAMANI", "JUAN CARLOS", "M", "PERÙ", "Z611", "PER"),
    ("POPESCU", "ANA MARIA", "F", "ROMANIA", "Z129", "ROU"),
    ("WÓJCIK-ŁUKASZEWICZ", "ZOË", "F", "POLONIA", "Z127", "POL"),
    ("DIALLO", "MAMADOU", "M", "SENEGAL", "Z343", "SEN"),
    ("AHMED", "FATIMA", "F", "BANGLADESH", "Z249", "BGD"),
]
STREETS = ["VIA NIZZA", "C.SO VERCELLI", "VIA MADAMA CRISTINA", "C.SO GIULIO CESARE", "VIA ROMA"]


def permit(n: int, rng: random.Random) -> PermitRecord:
    surname, name, sex, place, place_code, country = rng.choice(PEOPLE)
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(25_000))
    issued = date(2026, 10, 1) + timedelta(days=rng.randrange(31))
    event = "consegna" if rng.random() < 0.4 else "rilascio"
    number = f"I{n:08d}"
    return PermitRecord(
        id_record=f"{number}:{event}",
        evento=event,
        numero_permesso=number,
        tipo=rng.choice(["PS", "PS", "PS", "UELP", "CS"]),
        motivo=rng.choice(list(codes.PERMIT_REASONS)),
        canale=rng.choice(["kit_postale", "prenotafacile", "sportello"]),
        data_domanda=issued - timedelta(days=rng.randrange(20, 200)),
        data_rilascio=issued,
        data_consegna=issued + timedelta(days=rng.randrange(30)) if event == "consegna" else None,
        data_scadenza=issued + timedelta(days=730),
        numero_permesso_precedente=f"I{n + 50_000_000:08d}" if rng.random() < 0.3 else None,
        titolare=Titolare(
            cui=f"{rng.randrange(10**10):010d}",
            codice_fiscale=(
                encode(surname, name, sex, born, place_code) if rng.random() < 0.85 else None
            ),
            cognome=surname,
            nome=name,
            sesso=sex,
            data_nascita=born,
            luogo_nascita=place,
            cittadinanza=country,
        ),
        domicilio=Domicilio(
            indirizzo=f"{rng.choice(STREETS)} {rng.randrange(1, 200)}",
            comune="TORINO",
            codice_comune="001272",
        ),
    )


def write(path: Path, count: int, bad_share: float) -> tuple[float, int]:
    """(seconds, bad records written)."""
    rng = random.Random(1)
    header = Header(
        flow_type="permessi",
        sender="TO",
        receiver="001272",
        period=Period(date(2026, 10, 1), date(2026, 10, 31)),
        sequence=1,
        generated=datetime(2026, 11, 1, 2, 0, tzinfo=UTC),
        record_count=count,
        previous_hash=None,
    )
    bad = 0
    started = time.perf_counter()
    with path.open("wb") as stream:
        writer = FlowWriter(stream, header)
        for n in range(count):
            record = permit(n, rng)
            if rng.random() < bad_share:
                bad += 1
                writer.write({**to_dict(record), "dataRilascio": "2026-10-32"})
            else:
                writer.write(record)
        writer.close()
    return time.perf_counter() - started, bad


def typed_reader(path: Path) -> tuple[int, int, str]:
    """(records, problems, sha256) with the reader."""
    reader = read_flow(path)
    count = problems = 0
    for record in reader:
        count += 1
        problems += len(record.problems)
    return count, problems, reader.sha256


def schema_reader(path: Path) -> tuple[int, int, str]:
    """(records, problems, sha256) with json.loads and the JSON Schema on every line."""
    sha = hashlib.sha256()
    seen: dict[str, int] = {}
    count = problems = 0
    with path.open("rb") as stream:
        first = stream.readline()
        sha.update(first)
        flow_type = json.loads(first)["tipo"]
        for number, raw in enumerate(stream, start=2):
            sha.update(raw)
            if not raw.strip():
                continue
            count += 1
            problems += len(check_with_schema(flow_type, number, json.loads(raw), seen))
    return count, problems, sha.hexdigest()


def measured(name: str, path: Path) -> tuple[float, int, int, str, int]:
    """Run one reader in this (fresh) process: (seconds, records, problems, sha256, peak KB)."""
    function = typed_reader if name == "typed" else schema_reader
    started = time.perf_counter()
    count, problems, digest = function(path)
    seconds = time.perf_counter() - started
    return seconds, count, problems, digest, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--bad-share", type=float, default=0.002, help="records with a bad date")
    args = parser.parse_args()
    spawn = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "permessi.ndjson"
        seconds, bad = write(path, args.records, args.bad_share)
        size = path.stat().st_size
        print(f"{args.records:,} permit records ({bad:,} with a bad date), {size / 2**20:.0f} MB")
        print(f"  written from structs in {seconds:.1f} s: {args.records / seconds:,.0f} records/s")
        print(f"{'reader':>12} {'seconds':>8} {'records/s':>10} {'problems':>9} {'peak MB':>8}")
        results = {}
        for name in ("typed", "json schema"):
            with spawn.Pool(1) as pool:
                seconds, count, problems, digest, peak = pool.apply(measured, (name, path))
            results[name] = (count, problems, digest)
            print(
                f"{name:>12} {seconds:>8.1f} {count / seconds:>10,.0f} {problems:>9,} "
                f"{peak / 1024:>8.0f}"
            )
        typed, schema = results["typed"], results["json schema"]
        print(f"same records, problems and hash: {'yes' if typed == schema else 'NO'}")
        if typed != schema:
            raise SystemExit(f"the readers disagree: {typed} != {schema}")


if __name__ == "__main__":
    main()
