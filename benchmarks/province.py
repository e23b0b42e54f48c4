# SPDX-License-Identifier: EUPL-1.2
"""A province of 312 Comuni: the Questura's monthly run and a hub's fortnightly run, timed.

The province. The metropolitan city of Turin has about 2.2 million inhabitants in 312 Comuni,
about 210,000 of them foreign residents, and Turin alone holds about 130,000 (62%). The rest
is a long tail: a ring of towns with a few thousand foreign residents each, then most of the
312, villages of a few hundred to a few thousand inhabitants where foreign residents number in
the tens or the low hundreds. The script models that as one big city holding --big-share of
the --residents (default 130/210), and a Zipf tail for the others: the Comune of rank r (2..N)
gets a share proportional to 1/r^s (--zipf, default s = 1). With the province's real totals that
gives rank 2 about 7,500, rank 10 about 1,500, rank 50 about 300 and the median Comune about
100: a head a little steep (the towns around Turin are flatter), a tail about right, and the
runs' cost is driven by the big city's flow and by the number of flows, not by the exact shape.
The Comuni are TORINO (001272, whose streets the synthetic city has) and COMUNE 002..N, with
codes 001502.. no real Comune has.

Set-up, not measured: one synthetic city of --residents (`interscambio synth`) for the whole
province; each permit holder's domicile is moved to a Comune drawn to the distribution (all the
permits of one holder to the same Comune; numbers and everything else as generated). A Questura
node (TO) loads those permits and imports the N Comuni as partners (`partner import`, file
transport, each its own outbox folder, since October 2026, the synthetic city's last month).

Measured:

- the Questura's monthly run: `interscambio schedule run --today 2026-11-01`, one process that
  builds, signs and sends (drops into the outboxes) the October permit flow of every Comune.
  Every one of the N flows must be written, else the script fails;
- a hub of the --hub-comuni smallest Comuni: the set-up, `interscambio hub add` per Comune
  (folder, database, migrations, key, the Questura as file partner), timed on its own since
  a hub's administrator does it; then, after each Comune has loaded its own synthetic registry
  (tests/province.py's, the generator's smallest city of 1,000 residents, not measured), the
  fortnightly run `interscambio hub each --jobs 2 schedule run --today 2026-10-16`: each
  Comune's registry flow for 1-15 October exported, signed and sent.

    python benchmarks/province.py                          # 150,000 residents, PostgreSQL
    python benchmarks/province.py --database sqlite
    python benchmarks/province.py --comuni 12 --residents 3000 --hub-comuni 3 --database sqlite

On PostgreSQL the Questura's database is bench_province_questura and each hub Comune gets the
hub's own database and role interscambio_<code>; all are dropped at the end, and the temporary
folder removed.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
# The repository's root: the hub's Comuni are built by tests/province.py, as for
# tests/test_province.py.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.province import ComuneExtracts, build_comune

from flows import Node, postgres_database

TURIN, TURIN_NAME, QUESTURA = "001272", "TORINO", "TO"
SINCE, MONTH_RUN, FORTNIGHT_RUN = "2026-10-01", "2026-11-01", "2026-10-16"
QUESTURA_DATABASE = "bench_province_questura"
MAX_COMUNI = 499  # codes 001502..001999
EXPORTED = re.compile(r"^exported: (\w+) #\d+ for (\w+), .*, (\d+) records$", re.MULTILINE)


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    residents: int  # foreign residents


def apportion(total: int, weights: list[float]) -> list[int]:
    """`total` split in proportion to `weights`, in whole numbers (largest remainders)."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    parts = [int(x) for x in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: parts[i] - exact[i])
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts


def province(comuni: int, residents: int, big_share: float, zipf: float) -> list[Place]:
    """The big city first, then the others by rank, largest first."""
    big = round(residents * big_share)
    tail = apportion(residents - big, [1 / rank**zipf for rank in range(2, comuni + 1)])
    places = [Place(TURIN, TURIN_NAME, big)]
    for rank, size in enumerate(tail, start=2):
        places.append(Place(f"001{500 + rank:03d}", f"COMUNE {rank:03d}", size))
    return places


def spread_domiciles(source: Path, target: Path, places: list[Place]) -> dict[str, int]:
    """Copy the permits, each holder domiciled in a Comune drawn to the sizes; holders a Comune."""
    with source.open(encoding="utf-8", newline="") as stream:
        reader = csv.DictReader(stream)
        fields, rows = list(reader.fieldnames or ()), list(reader)
    holders = sorted({row["cui"] for row in rows})
    random.Random(312).shuffle(holders)
    counts = apportion(len(holders), [float(p.residents) for p in places])
    home: dict[str, Place] = {}
    start = 0
    for place, count in zip(places, counts, strict=True):
        home.update((cui, place) for cui in holders[start : start + count])
        start += count
    for row in rows:
        place = home[row["cui"]]
        row["domicilio_codice_comune"], row["domicilio_comune"] = place.code, place.name
    with target.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fields)
        writer.writeheader()
        writer.writerows(rows)
    return {p.code: c for p, c in zip(places, counts, strict=True)}


def run(command: list[str], environment: dict[str, str] | None = None) -> str:
    result = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(
            f"{' '.join(command[2:])} failed (exit {result.returncode})\n"
            f"{result.stdout}{result.stderr}"
        )
    return result.stdout


def timed(command: list[str], environment: dict[str, str] | None = None) -> tuple[float, str]:
    started = time.perf_counter()
    output = run(command, environment)
    return time.perf_counter() - started, output


def clean_environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}


# --- the Questura -----------------------------------------------------------------------------


def questura_node(root: Path, database: str, server: str) -> Node:
    folder = root / "questura"
    folder.mkdir(parents=True)
    if database == "postgresql":
        postgres_database(server, QUESTURA_DATABASE, create=True)
        url = f"{server}/{QUESTURA_DATABASE}"
    else:
        url = f"sqlite:///{folder / 'interscambio.sqlite3'}"
    return Node("questura", QUESTURA, "Questura di Torino", folder, url)


def partner_file(root: Path, places: list[Place]) -> Path:
    path = root / "comuni.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["node_id", "name", "transport", "outbox", "since"])
        for place in places:
            outbox = root / "outboxes" / place.code
            writer.writerow([place.code, place.name, "file", str(outbox), SINCE])
    return path


def questura_month(root: Path, questura: Node, places: list[Place], residents: int) -> None:
    started = time.perf_counter()
    city = root / "city"
    questura.run(
        questura.command("synth", "--out", str(city), "--residents", str(residents), "--quiet")
    )
    synthesised = time.perf_counter() - started
    permits = root / "permessi.csv"
    holders = spread_domiciles(city / "questura" / "permessi.csv", permits, places)
    started = time.perf_counter()
    questura.run(questura.command("migrate", "-v", "0"))
    questura.run(questura.command("keys", "init"))
    questura.run(questura.command("permits", "load", str(permits), "--quiet"))
    questura.run(questura.command("partner", "import", str(partner_file(root, places))))
    loaded = time.perf_counter() - started
    print(
        f"set-up, not measured: synthetic city {synthesised:.1f} s; {sum(holders.values()):,} "
        f"permit holders ({holders[TURIN]:,} in {TURIN_NAME}), their permits loaded and "
        f"{len(places)} partners imported {loaded:.1f} s",
        flush=True,
    )
    print(HEADER, flush=True)
    seconds, _, output = questura.measure(questura.command("schedule", "run", "--today", MONTH_RUN))
    flows = {m[2]: int(m[3]) for m in EXPORTED.finditer(output) if m[1] == "permessi"}
    written = sorted(path.parent.name for path in (root / "outboxes").glob("*/*.ndjson"))
    sizes = sorted(flows.values())
    print(row("Questura monthly", len(places), len(flows), sum(sizes), seconds), flush=True)
    if written != sorted(p.code for p in places) or len(flows) != len(places):
        raise SystemExit(
            f"the Questura wrote {len(written)} flows into the outboxes and exported "
            f"{len(flows)}, not one for each of the {len(places)} Comuni:\n{output}"
        )
    largest = max(flows, key=flows.__getitem__)
    median = statistics.median(sizes)
    print(f"  largest flow {flows[largest]:,} records ({largest}), median {median:,.0f}")
    print(f"  {len(written)} flows written, one into each Comune's outbox", flush=True)


# --- the hub ----------------------------------------------------------------------------------


def hub_command(folder: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "interscambio", "hub", "--dir", str(folder), *args]


def hub_fortnight(
    root: Path, questura: Node, places: list[Place], postgres: str, added: list[str]
) -> None:
    """Set up and run the hub (on the PostgreSQL server `postgres`, or SQLite when empty);
    `added` gets the code of each Comune given a PostgreSQL database and role."""
    folder, environment = root / "hub", clean_environment()
    certificate = questura.data_dir / "keys" / "node.crt"
    on_postgres = ["--postgres", postgres] if postgres else []
    cities = []
    for place in places:
        rank = int(place.code[3:]) - 500  # the Comune's own ids, and its own city's seed
        comune, _, _ = build_comune(root / "hub-cities", rank, place.code, place.name, 1000)
        cities.append(comune)
    started = time.perf_counter()
    for place in places:
        run(
            hub_command(
                folder, "add", place.code, place.name, *on_postgres, "--questura", QUESTURA,
                "--questura-name", "Questura di Torino", "--transport", "file",
                "--since", SINCE, "--certificate", str(certificate),
            ),
            environment,
        )  # fmt: skip
        if postgres:
            added.append(place.code)
    setup = time.perf_counter() - started

    def load(comune: ComuneExtracts) -> None:
        data = comune.folder
        run(hub_command(folder, "run", comune.code, "streets", "load",
                        str(data / "stradario.csv"), "--quiet"), environment)  # fmt: skip
        run(hub_command(folder, "run", comune.code, "registry", "load",
                        str(data / "anagrafe.csv"), "--events", str(data / "eventi.csv"),
                        "--quiet"), environment)  # fmt: skip

    started = time.perf_counter()
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(load, cities))
    loading = time.perf_counter() - started
    print(
        f"hub set-up: {len(places)} Comuni added (`hub add`: folder, "
        f"{'PostgreSQL database and role' if postgres else 'SQLite database'}, migrations, key, "
        f"partner) in {setup:.1f} s, {setup / len(places):.1f} s a Comune; their registries "
        f"loaded in {loading:.1f} s",
        flush=True,
    )
    seconds, output = timed(
        hub_command(folder, "each", "--jobs", "2", "schedule", "run", "--today", FORTNIGHT_RUN),
        environment,
    )
    flows = [int(m[3]) for m in EXPORTED.finditer(output) if m[1] == "anagrafe"]
    written = list((folder / "comuni").glob(f"*/outbox/{QUESTURA}/*.ndjson"))
    print(row("hub fortnightly", len(places), len(flows), sum(flows), seconds))
    print(f"  {seconds / len(places):.2f} s a Comune, 2 at a time", flush=True)
    if len(written) != len(places) or len(flows) != len(places):
        raise SystemExit(
            f"the hub's Comuni wrote {len(written)} flows, not one each for {len(places)}:\n"
            f"{output}"
        )
    print(f"  {len(written)} flows written, one from each Comune for the Questura")


# --- the report -------------------------------------------------------------------------------

HEADER = (
    f"{'run':<18} {'Comuni':>6} {'flows':>6} {'records':>9} {'seconds':>8} {'flows/s':>8} "
    f"{'records/s':>10}"
)


def row(run: str, comuni: int, flows: int, records: int, seconds: float) -> str:
    return (
        f"{run:<18} {comuni:>6} {flows:>6} {records:>9,} {seconds:>8.1f} {flows / seconds:>8.1f} "
        f"{records / seconds:>10,.0f}"
    )


def drop_hub_databases(server: str, codes: list[str]) -> None:
    from interscambio.hub import databases

    for code in codes:
        databases.drop(server, code)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comuni", type=int, default=312, help="Comuni in the province")
    parser.add_argument("--residents", type=int, default=150_000, help="foreign residents")
    parser.add_argument("--big-share", type=float, default=130 / 210, help="the big city's share")
    parser.add_argument("--zipf", type=float, default=1.0, help="the tail's exponent")
    parser.add_argument("--hub-comuni", type=int, default=40, help="the smallest, on one hub")
    parser.add_argument("--database", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    args = parser.parse_args()
    if not 2 <= args.comuni <= MAX_COMUNI:
        parser.error(f"--comuni: between 2 and {MAX_COMUNI}")
    if not 0 <= args.hub_comuni < args.comuni:
        parser.error("--hub-comuni: fewer than --comuni (the big city is not on the hub)")
    if not 0 < args.big_share < 1:
        parser.error("--big-share: between 0 and 1")
    if args.residents < max(1000, args.comuni):
        parser.error("--residents: at least 1,000 (the smallest synthetic city) and --comuni")
    places = province(args.comuni, args.residents, args.big_share, args.zipf)
    tail = [p.residents for p in places[1:]]
    print(
        f"a province of {len(places)} Comuni, {args.residents:,} foreign residents: "
        f"{TURIN_NAME} {places[0].residents:,}, then {tail[0]:,} down to {tail[-1]:,}, median "
        f"{statistics.median(tail):,.0f}, {sum(s < 300 for s in tail)} under 300; "
        f"{args.database}; CPUs: {os.cpu_count()}",
        flush=True,
    )
    root = Path(tempfile.mkdtemp(prefix="bench-province-"))
    hub_databases: list[str] = []
    try:
        questura = questura_node(root, args.database, args.postgres)
        questura_month(root, questura, places, args.residents)
        if args.hub_comuni:
            postgres = args.postgres if args.database == "postgresql" else ""
            hub = places[-args.hub_comuni :]
            hub_fortnight(root, questura, hub, postgres, hub_databases)
    finally:
        if args.database == "postgresql":
            drop_hub_databases(args.postgres + "/postgres", hub_databases)
            postgres_database(args.postgres, QUESTURA_DATABASE, create=False)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
