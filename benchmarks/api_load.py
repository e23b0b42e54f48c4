# SPDX-License-Identifier: EUPL-1.2
"""The consultation and verification APIs under load: requests per second, p50 and p99.

Set-up, not measured: a synthetic city (`interscambio synth`), a Comune node on PostgreSQL
loaded with its gazetteer and registry, the agreement, an office of the Questura and one of
another administration, each with an API client whose key is made for the run. The node is
served by gunicorn (sync workers: each request is short and waits on the database about half
its time, and two sync workers per core keep both cores busy without threads fighting over the
GIL; the sample deploy/gunicorn.conf.py does the same).

Measured: load processes separate from the server, on loopback, each with several connections,
sending for a fixed time: the verification API (`POST /api/v1/verifica`, a codice fiscale of
the city and a day) and the consultation API with its access-log entry (`POST
/api/v1/consultazione/ricerca` by codice fiscale, with tracking evidence). Every request
carries its own client assertion, signed in advance by the load processes so that signing is
not charged to the server. Targets on 2 cores: verification 500 requests/s at p99 under 50 ms;
consultation 200 requests/s at p99 under 100 ms.

    python benchmarks/api_load.py                        # 130,000 residents, PostgreSQL
    python benchmarks/api_load.py --residents 2000 --seconds 3 --database sqlite   # quick
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import multiprocessing
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from flows import COMUNE, Node, postgres_database

TARGETS = {"verifica": (500.0, 50.0), "consultazione": (200.0, 100.0)}
PATHS = {"verifica": "/api/v1/verifica", "consultazione": "/api/v1/consultazione/ricerca"}
CLIENTS = {"verifica": "INPS-TO", "consultazione": "UI-TO"}


def set_up_access(folder: Path) -> None:
    """Offices, the agreement, the two API clients; their keys into `folder` (a --step)."""
    import django

    django.setup()
    from interscambio.access import roles, rules
    from interscambio.access.models import Agreement, Office
    from interscambio.core.trust import generate_identity
    from interscambio.exchange.trust import init_keys

    init_keys()
    made = {}
    for code, name, kind in (
        ("UI-TO", "Ufficio Immigrazione di Torino", roles.IMMIGRATION_OFFICE),
        ("INPS-TO", "INPS Torino", roles.OTHER),
    ):
        made[code] = Office.objects.create(code=code, name=name, kind=kind)
    agreement = Agreement.objects.create(
        title="Protocollo", start=date(2025, 1, 1), end=date(2035, 1, 1)
    )
    agreement.offices.set(made.values())
    for code, role in (("UI-TO", roles.QUESTURA_CONSULTANT), ("INPS-TO", roles.VERIFIER)):
        key, cert = generate_identity(code, made[code].name)
        (folder / f"{code}.key").write_bytes(key)
        (folder / f"{code}.crt").write_bytes(cert)
        rules.add_client(
            made[code], role, cert, by="benchmark", shows_expiry=role == roles.VERIFIER
        )


def _headers(api: str, identity: Any) -> dict[str, str]:
    from interscambio.core.trust import client_assertion, tracking_evidence

    if api == "verifica":
        return {"Authorization": f"Bearer {client_assertion(identity, COMUNE)}"}
    evidence = tracking_evidence(identity, COMUNE, "operatore.carico")
    return {
        "Authorization": f"Bearer {client_assertion(identity, COMUNE, tracking=evidence)}",
        "Agid-JWT-TrackingEvidence": evidence,
    }


def _body(api: str, code: str) -> bytes:
    if api == "verifica":
        return json.dumps({"codice_fiscale": code, "data": "2026-06-01"}).encode()
    return json.dumps(
        {"finalita": "rinnovo_permesso", "riferimento_pratica": "CARICO-1", "codice_fiscale": code}
    ).encode()


def _request(api: str, headers: dict[str, str], body: bytes) -> bytes:
    """The bytes of one HTTP/1.1 request, built before the clock starts."""
    head = [
        f"POST {PATHS[api]} HTTP/1.1",
        "Host: 127.0.0.1",
        "Connection: close",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    return ("\r\n".join(head) + "\r\n\r\n").encode("ascii") + body


def _send(port: int, request: bytes) -> int:
    """Send one request on a new connection (sync workers close each one); its status."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(request)
        answer = bytearray()
        while chunk := connection.recv(65536):
            answer += chunk
    return int(answer[9:12])


def load(job: dict[str, Any]) -> dict[str, Any]:
    """One load process: `connections` threads sending for `seconds`; its latencies.

    The requests are built beforehand and sent on plain sockets: the load processes share the
    machine's cores with the server, and every cycle they spend is one the server lacks."""
    from interscambio.core.trust import load_identity

    keys = Path(job["keys"])
    client = CLIENTS[job["api"]]
    identity = load_identity(
        (keys / f"{client}.key").read_bytes(), (keys / f"{client}.crt").read_bytes()
    )
    api, codes = job["api"], job["codes"]
    # Enough for the rate the target asks of this process, and more.
    ready = [
        _request(api, _headers(api, identity), _body(api, random.choice(codes)))
        for _ in range(job["tokens"])
    ]
    lock = threading.Lock()
    latencies: list[float] = []
    errors = [0]
    time.sleep(max(0.0, job["start"] - time.time()))
    cpu = time.process_time()
    stop = time.perf_counter() + job["seconds"]

    def run() -> None:
        mine: list[float] = []
        failed = 0
        while time.perf_counter() < stop:
            with lock:
                request = ready.pop() if ready else None
            if request is None:
                request = _request(api, _headers(api, identity), _body(api, random.choice(codes)))
            started = time.perf_counter()
            try:
                if _send(job["port"], request) != 200:
                    failed += 1
            except (OSError, ValueError):
                failed += 1
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=run) for _ in range(job["connections"])]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"latencies": latencies, "errors": errors[0], "cpu": time.process_time() - cpu}


def _ticks(pid: int) -> int:
    """utime + stime of a process, in clock ticks (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def _processes() -> dict[str, list[int]]:
    """The server's worker processes and PostgreSQL's, by /proc (Linux)."""
    found: dict[str, list[int]] = {"workers": [], "postgres": []}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            name = (entry / "comm").read_text().strip()
        except OSError:
            continue
        if name == "postgres":
            found["postgres"].append(int(entry.name))
        elif name.startswith("gunicorn"):
            found["workers"].append(int(entry.name))
    return found


def _machine() -> list[int]:
    """/proc/stat's cpu line: user nice system idle iowait irq softirq steal."""
    return [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]


class CpuWindow:
    """The CPU the server, PostgreSQL and the machine spent between `start` and `stop`."""

    def start(self) -> None:
        self.before = {pid: _ticks(pid) for pids in _processes().values() for pid in pids}
        self.machine = _machine()

    def stop(self) -> dict[str, float]:
        tick = os.sysconf("SC_CLK_TCK")
        # A process that started within the window (a new database connection) counts whole.
        spent = {
            kind: sum(_ticks(pid) - self.before.get(pid, 0) for pid in pids) / tick
            for kind, pids in _processes().items()
        }
        delta = [b - a for a, b in zip(self.machine, _machine(), strict=True)]
        total = sum(delta) or 1
        spent["busy"] = (total - delta[3] - delta[4]) / total
        spent["steal"] = delta[7] / total
        return spent


def drive(api: str, port: int, keys: Path, codes: list[str], args: argparse.Namespace) -> None:
    rate, _ = TARGETS[api]
    tokens = int(rate * 1.5 * args.seconds / args.load_processes) + 100
    # The load processes sign and build their requests first, then all start together.
    start = time.time() + 3 + tokens / 1000
    jobs = [
        {
            "api": api,
            "port": port,
            "keys": str(keys),
            "codes": codes,
            "seconds": args.seconds,
            "connections": args.connections,
            "tokens": tokens,
            "start": start,
        }
        for _ in range(args.load_processes)
    ]
    window = CpuWindow()
    with multiprocessing.get_context("spawn").Pool(args.load_processes) as pool:
        pending = pool.map_async(load, jobs)
        time.sleep(max(0.0, start - time.time()))
        window.start()
        time.sleep(args.seconds)
        spent = window.stop()
        results = pending.get()
    latencies = sorted(x for r in results for x in r["latencies"])
    errors = sum(r["errors"] for r in results)
    if not latencies:
        raise SystemExit(f"{api}: no request completed")
    per_second = len(latencies) / args.seconds
    p50 = latencies[len(latencies) // 2] * 1000
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    target_rate, target_p99 = TARGETS[api]
    met = per_second >= target_rate and p99 < target_p99 and errors == 0
    print(
        f"{api:14} {len(latencies):7,} requests  {errors:5} errors  {per_second:7.1f} req/s  "
        f"p50 {p50:6.1f} ms  p99 {p99:6.1f} ms   target {target_rate:.0f} req/s at p99 < "
        f"{target_p99:.0f} ms: {'met' if met else 'NOT met'}",
        flush=True,
    )
    calls = len(latencies) or 1
    loading = sum(r["cpu"] for r in results)
    print(
        f"{'':14} CPU per request: server {spent['workers'] / calls * 1000:.2f} ms, PostgreSQL "
        f"{spent['postgres'] / calls * 1000:.2f} ms, load processes {loading / calls * 1000:.2f} "
        f"ms; the machine {spent['busy']:.0%} busy, {spent['steal']:.0%} stolen by its host",
        flush=True,
    )


def serve(node: Node, port: int, workers: int, threads: int, log: Path) -> subprocess.Popen[bytes]:
    """gunicorn serving the node; its log (a JSON line per request, as in production) to `log`."""
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [
        str(gunicorn), "-w", str(workers), "-b", f"127.0.0.1:{port}",
        "--log-level", "warning", "interscambio.project.wsgi:application",
    ]  # fmt: skip
    if threads > 1:
        command += ["-k", "gthread", "--threads", str(threads)]
    with log.open("ab") as stream:
        process = subprocess.Popen(
            command, env=node.environment(), start_new_session=True, stderr=stream
        )
    for _ in range(300):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/api/v1/openapi.json")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            pass
        if process.poll() is not None:
            tail = log.read_text(errors="replace").splitlines()[-20:]
            raise SystemExit("gunicorn stopped before answering:\n" + "\n".join(tail))
        time.sleep(0.2)
    raise SystemExit("gunicorn did not answer in 60 s")


def city_codes(city: Path, count: int) -> list[str]:
    with (city / "comune" / "anagrafe.csv").open(encoding="utf-8", newline="") as stream:
        codes = [row["codice_fiscale"] for row in csv.DictReader(stream) if row["codice_fiscale"]]
    random.seed(7)
    return random.sample(codes, min(count, len(codes)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=130_000)
    parser.add_argument("--seconds", type=float, default=20.0, help="per API, default 20")
    parser.add_argument("--database", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers, default 4")
    parser.add_argument("--threads", type=int, default=1, help="per worker (gthread), default 1")
    parser.add_argument("--load-processes", type=int, default=2)
    parser.add_argument("--connections", type=int, default=4, help="per load process")
    parser.add_argument("--port", type=int, default=18741)
    parser.add_argument("--city", type=Path, help="reuse a city written by interscambio synth")
    parser.add_argument("--step", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        set_up_access(Path(args.step[1]))
        return
    root = Path(tempfile.mkdtemp(prefix="bench-api-"))
    name = "bench_api_comune"
    server = None
    try:
        city = args.city or root / "city"
        if args.city is None:
            subprocess.run(
                [sys.executable, "-m", "interscambio", "synth", "--out", str(city),
                 "--residents", str(args.residents), "--quiet"],
                check=True,
            )  # fmt: skip
        folder = root / "comune"
        folder.mkdir()
        if args.database == "postgresql":
            postgres_database(args.postgres, name, create=True)
            url = f"{args.postgres}/{name}"
        else:
            url = f"sqlite:///{folder / 'interscambio.sqlite3'}"
        node = Node("comune", COMUNE, "Torino", folder, url)
        os.environ.update(
            INTERSCAMBIO_VERIFICATION_CALLS_PER_MINUTE="100000000",
            DATABASE_CONN_MAX_AGE="600",
            INTERSCAMBIO_SECURE_COOKIES="false",
        )
        node.run(node.command("migrate", "-v", "0"))
        node.run(node.command("streets", "load", str(city / "comune" / "stradario.csv"), "--quiet"))
        node.run(
            node.command(
                "registry", "load", str(city / "comune" / "anagrafe.csv"),
                "--events", str(city / "comune" / "eventi.csv"), "--quiet",
            )
        )  # fmt: skip
        node.run([sys.executable, __file__, "--step", "access", str(root)])
        codes = city_codes(city, 5_000)
        print(
            f"a city of {args.residents:,} residents on {args.database}; gunicorn with "
            f"{args.workers} sync workers; {args.load_processes} load processes x "
            f"{args.connections} connections; {args.seconds:g} s per API",
            flush=True,
        )
        server = serve(node, args.port, args.workers, args.threads, root / "gunicorn.log")
        for api in ("verifica", "consultazione"):
            drive(api, args.port, root, codes, args)
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        if args.database == "postgresql":
            postgres_database(args.postgres, name, create=False)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
