# SPDX-License-Identifier: EUPL-1.2
"""Hub mode: adding a Comune in one command (or nothing at all when a step fails), listing,
running a command in one Comune or in each, and the Questura's partner list from the hub."""

from __future__ import annotations

import csv
import json
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.nodes import (
    HUB_PREFIX,
    NodeProcess,
    _postgres_server,
    drop_hub_databases,
    hub_postgres,
    node_database,
)

HUB = [sys.executable, "-m", "interscambio", "hub"]


def hub(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*HUB, "--dir", str(folder), *args], capture_output=True, text=True)


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[Path]:
    """A hub on the suite's database: SQLite files, or databases on its PostgreSQL server (any
    left by an interrupted run dropped first)."""
    server = _postgres_server()
    codes = ["001401", "001402", "001403"]
    if server:
        drop_hub_databases(server, codes)
    yield tmp_path / "hub"
    if server:
        drop_hub_databases(server, codes)


def test_a_comune_is_added_in_one_command_and_runs_as_its_own_node(folder: Path) -> None:
    added = hub(folder, "add", "001401", "COMUNE UNO", *hub_postgres())
    assert added.returncode == 0, added.stderr
    assert "added COMUNE UNO (001401)" in added.stdout
    assert hub(folder, "add", "001402", "COMUNE DUE").returncode == 0
    listed = json.loads(hub(folder, "list", "--json").stdout)
    assert [(c["code"], c["port"]) for c in listed] == [("001401", 8101), ("001402", 8102)]
    assert all(bool(c["database"]) == bool(_postgres_server()) for c in listed)
    shown = json.loads(hub(folder, "run", "001402", "node", "--json").stdout)
    assert (shown["role"], shown["node_id"], shown["name"]) == ("comune", "001402", "COMUNE DUE")
    # Its own folder, key and environment file, readable by the hub's user alone.
    own = folder / "comuni" / "001402"
    assert (own / "keys" / "node.crt").exists()
    assert oct((own / "node.env").stat().st_mode & 0o777) == "0o600"
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    unknown = hub(folder, "run", "009999", "node")
    assert unknown.returncode == 1 and "the hub hosts no Comune '009999'" in unknown.stderr
    each = hub(folder, "each", "--jobs", "2", "node", "--json")
    assert each.returncode == 0
    assert "== 001401 COMUNE UNO (1/2)" in each.stdout and "2 of 2 Comuni done" in each.stdout
    assert each.stdout.index("001401") < each.stdout.index("== 001402")


@pytest.mark.parametrize(
    "args, message",
    [
        (["add", "1401", "X"], "code: '1401' is not an ISTAT code"),
        (["add", "001401", " "], "name: the Comune's name is required"),
        (["add", "001403", "X", "--questura", "TO"], "--since is required"),
        (["list"], "is not a hub"),
        (["add", "001401", "X", "--database-prefix", "Hub-1"], "database prefix: 'Hub-1' must"),
    ],
)
def test_bad_requests_are_refused_with_the_reason(
    folder: Path, args: list[str], message: str
) -> None:
    refused = hub(folder, *args)
    assert refused.returncode != 0 and message in refused.stderr


def test_the_database_prefix_is_chosen_with_the_first_comune_and_kept(folder: Path) -> None:
    assert hub(folder, "add", "001401", "COMUNE UNO", "--database-prefix", "hub_a").returncode == 0
    assert json.loads((folder / "hub.json").read_text())["database_prefix"] == "hub_a"
    changed = hub(folder, "add", "001402", "COMUNE DUE", "--database-prefix", "hub_b")
    assert changed.returncode == 1
    assert "named hub_a_CODE already" in changed.stderr
    assert [c["code"] for c in json.loads(hub(folder, "list", "--json").stdout)] == ["001401"]


def test_a_comune_that_cannot_be_set_up_leaves_nothing_behind(folder: Path, tmp_path: Path) -> None:
    assert hub(folder, "add", "001401", "COMUNE UNO", *hub_postgres()).returncode == 0
    assert hub(folder, "add", "001401", "ANCORA").returncode == 1
    # A certificate that is not the Questura's: the partner cannot be trusted by it.
    other = folder / "comuni" / "001401" / "keys" / "node.crt"
    failed = hub(
        folder, "add", "001402", "COMUNE DUE", "--questura", "TO", "--url", "http://q.example/",
        "--since", "2026-10-01", "--certificate", str(other),
    )  # fmt: skip
    assert failed.returncode == 1 and "setting up 001402 failed" in failed.stderr
    assert "001401" in failed.stderr  # the certificate names whose it is
    assert not (folder / "comuni" / "001402").exists()
    assert [c["code"] for c in json.loads(hub(folder, "list", "--json").stdout)] == ["001401"]
    server = _postgres_server()
    if server:
        with psycopg.connect(server) as admin:
            found = admin.execute(
                "SELECT count(*) FROM pg_database WHERE datname = %s", [f"{HUB_PREFIX}_001402"]
            ).fetchone()
            assert found == (0,)


def test_each_goes_on_past_a_comune_that_fails_and_says_which(folder: Path) -> None:
    for code in ("001401", "001402"):
        assert hub(folder, "add", code, f"COMUNE {code}").returncode == 0
    broken = folder / "comuni" / "001401" / "interscambio.sqlite3"
    if not _postgres_server():
        broken.write_bytes(b"not a database")
    else:
        (folder / "comuni" / "001401" / "node.env").write_text(
            'INTERSCAMBIO_ROLE="comune"\nINTERSCAMBIO_NODE_ID="001401"\n'
            'DATABASE_URL="postgres://nobody@127.0.0.1:1/none"\n'
        )
    each = hub(folder, "each", "node", "--json")
    assert each.returncode == 1
    assert "1 of 2 Comuni done" in each.stdout and "failed: 001401" in each.stdout
    assert '"node_id": "001402"' in each.stdout


def test_the_questura_imports_the_hubs_comuni_as_partners_all_or_none(
    folder: Path, tmp_path: Path
) -> None:
    for code in ("001401", "001402"):
        assert hub(folder, "add", code, f"COMUNE {code}").returncode == 0
    listing = tmp_path / "comuni.csv"
    made = hub(folder, "partners", "--url-template", "https://{code}.hub.example.it/",
               "--since", "2026-10-01", "--out", str(listing))  # fmt: skip
    assert made.returncode == 0, made.stderr
    rows = list(csv.DictReader(listing.open(encoding="utf-8")))
    assert [r["url"] for r in rows] == [
        "https://001401.hub.example.it/", "https://001402.hub.example.it/"
    ]  # fmt: skip
    with node_database(tmp_path) as url:
        questura = NodeProcess("questura", "TO", tmp_path / "questura", url)
        questura.run("migrate", "-v", "0")
        # A bad row anywhere: nothing is added.
        bad = tmp_path / "bad.csv"
        with bad.open("w", encoding="utf-8", newline="") as stream:
            writer = csv.DictWriter(stream, list(rows[0]))
            writer.writeheader()
            writer.writerows([rows[0], {**rows[1], "since": "1 ottobre"}])
        refused = questura.run("partner", "import", str(bad), check=False)
        assert refused.returncode != 0
        assert "line 3: since '1 ottobre' is not a date" in refused.stderr
        assert "nothing was changed" in refused.stderr
        assert questura.query("Partner.objects.count()") == "0"
        imported = questura.run("partner", "import", str(listing)).stdout
        assert "2 partners added, 0 changed" in imported
        assert questura.query("PartnerCertificate.objects.count()") == "2"
        again = questura.run("partner", "import", str(listing)).stdout
        assert "0 partners added, 2 changed" in again


def test_the_hubs_sample_units_run_real_commands_for_each_comune() -> None:
    from tests.test_deploy import DEPLOY, check_interscambio_command, commands, unit

    web = unit(DEPLOY / "hub" / "interscambio-hub-web@.service")["Service"]
    # The Comune's own file comes last, so that its node id, folder and database win.
    assert web["EnvironmentFile"][-1] == "/srv/interscambio/hub/comuni/%i/node.env"
    assert web["ReadWritePaths"] == ["/srv/interscambio/hub/comuni/%i"]
    (start,) = [shlex.split(v) for v in web["ExecStart"]]
    assert start[-2:] == ["--bind", "127.0.0.1:${INTERSCAMBIO_HUB_PORT}"]
    scheduler = unit(DEPLOY / "hub" / "interscambio-hub-scheduler.service")["Service"]
    rounds = commands(scheduler)
    assert rounds[-1][1:5] == ["hub", "each", "--jobs", "2"]
    for argv in rounds:
        assert argv[1:3] == ["hub", "each"]
        check_interscambio_command(argv[5:])
    assert rounds[-1][5:] == ["schedule", "run"]


def test_a_comunes_environment_file_is_one_systemd_reads(folder: Path) -> None:
    from interscambio.hub.instances import read_env

    assert hub(folder, "add", "001401", 'SANT\'ANNA "DI" SOPRA').returncode == 0
    read = read_env(folder / "comuni" / "001401" / "node.env")
    assert read["INTERSCAMBIO_NODE_NAME"] == 'SANT\'ANNA "DI" SOPRA'
    assert read["INTERSCAMBIO_HUB_PORT"] == "8101"


def test_two_comuni_added_at_once_are_both_listed_with_their_own_ports(folder: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    assert hub(folder, "add", "001401", "COMUNE UNO", *hub_postgres()).returncode == 0
    with ThreadPoolExecutor(2) as pool:
        done = list(pool.map(lambda c: hub(folder, "add", c, f"COMUNE {c}"), ["001402", "001403"]))
    assert [d.returncode for d in done] == [0, 0], [d.stderr for d in done]
    listed = json.loads(hub(folder, "list", "--json").stdout)
    assert sorted(c["code"] for c in listed) == ["001401", "001402", "001403"]
    assert sorted(c["port"] for c in listed) == [8101, 8102, 8103]
