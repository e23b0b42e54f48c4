# SPDX-License-Identifier: EUPL-1.2
"""`interscambio demo` end to end, as a user runs it, checked against the city's truth."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from interscambio.core.codes import EU_MEMBER_STATES

RESIDENTS = "1000"
OTHER_EU_STATES = EU_MEMBER_STATES - {"ITA"}


def demo(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environment.update(INTERSCAMBIO_DATA_DIR=str(folder / "data"), COLUMNS="200")
    return subprocess.run(
        [sys.executable, "-m", "interscambio", "demo", "--dir", str(folder / "demo"), *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def count(database: Path, sql: str, *params: object) -> int:
    with sqlite3.connect(database) as connection:
        return int(connection.execute(sql, params).fetchone()[0])


@pytest.fixture(scope="module")
def first_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    folder = tmp_path_factory.mktemp("demo")
    return folder, demo(folder, "--residents", RESIDENTS, "--quiet")


def test_the_demo_succeeds_and_every_count_matches(
    first_run: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    _, result = first_run
    assert result.returncode == 0, result.stderr
    assert "✓" in result.stdout
    assert "differs" not in result.stdout


def test_the_nodes_databases_hold_what_the_truth_says(
    first_run: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    folder, _ = first_run
    truth = json.loads((folder / "demo/city/truth/summary.json").read_text(encoding="utf-8"))
    counts = truth["counts"]
    comune = folder / "demo/comune/interscambio.sqlite3"
    questura = folder / "demo/questura/interscambio.sqlite3"
    # Placeholders only: the EU codes are passed as parameters.
    eu_residents_sql = (
        "SELECT count(*) FROM registry_citizenship c JOIN registry_resident r "
        "ON r.id = c.resident_id WHERE c.rank = 0 AND r.status = 'residente' "
        f"AND c.country IN ({','.join('?' * len(OTHER_EU_STATES))})"
    )
    assert count(comune, "SELECT count(*) FROM registry_resident") == counts["registry_persons"]
    assert (
        count(comune, "SELECT count(*) FROM registry_resident WHERE status = 'residente'")
        == counts["registry_residents"]
    )
    assert (
        count(comune, eu_residents_sql, *sorted(OTHER_EU_STATES)) == counts["registry_eu_residents"]
    )
    # Events as loaded: reconciliation's own (renewals it recorded, RIC...) come on top.
    loaded_events = "SELECT count(*) FROM registry_registryevent WHERE event_id NOT LIKE 'RIC%'"
    assert count(comune, loaded_events) == counts["registry_events"]
    assert count(comune, "SELECT count(*) FROM registry_street") == counts["streets"]
    assert count(questura, "SELECT count(*) FROM permits_permit") == counts["permits"]
    assert (
        count(questura, "SELECT count(DISTINCT holder_cui) FROM permits_permit")
        == counts["permit_holders"]
    )
    # Each node holds only its own side of the exchange.
    assert count(questura, "SELECT count(*) FROM registry_resident") == 0
    assert count(comune, "SELECT count(*) FROM permits_permit") == 0


def test_the_summary_is_printed_and_recorded(
    first_run: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    folder, result = first_run
    report = json.loads((folder / "demo/report.json").read_text(encoding="utf-8"))
    residents = next(c for c in report["checks"] if c["name"] == "registry_residents")
    assert residents["node_value"] == residents["truth"]
    assert f"{residents['truth']:,}" in result.stdout


def test_a_second_run_reuses_the_city_and_starts_the_nodes_over(
    first_run: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    folder, _ = first_run
    result = demo(folder, "--residents", RESIDENTS, "--quiet")
    assert result.returncode == 0, result.stderr
    assert "Reusing the synthetic city" in result.stdout
    assert "Starting both nodes over" in result.stdout
    assert "differs" not in result.stdout


def test_the_nodes_exchanged_signed_flows_with_receipts(
    first_run: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    folder, result = first_run
    flows = json.loads((folder / "demo/report.json").read_text(encoding="utf-8"))["flows"]
    by_type = {
        kind: [f for f in flows if f["flow_type"] == kind] for kind in ("anagrafe", "permessi")
    }
    assert by_type["anagrafe"] and by_type["permessi"]
    assert {f["state"] for f in flows} == {"acknowledged"}
    for kind, rows in by_type.items():
        assert [f["sequence"] for f in rows] == list(range(1, len(rows) + 1)), kind
    comune = folder / "demo/comune/interscambio.sqlite3"
    questura = folder / "demo/questura/interscambio.sqlite3"
    permits = sum(f["records"] for f in by_type["permessi"])
    events = sum(f["records"] for f in by_type["anagrafe"])
    assert count(comune, "SELECT count(*) FROM exchange_receivedpermit") == permits > 0
    assert count(questura, "SELECT count(*) FROM exchange_receivedregistryevent") == events > 0
    # The permit flows went as files, the registry flows over HTTP.
    assert list((folder / "demo/files/to-comune/done").glob("*.ricevuta.json")) == []
    assert len(list((folder / "demo/files/to-questura/done").glob("*.ricevuta.json"))) == len(
        by_type["permessi"]
    )
    assert "applicato" in result.stdout


def test_the_nodes_reconciled_the_flows_they_received(
    first_run: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    folder, result = first_run
    comune = folder / "demo/comune/interscambio.sqlite3"
    questura = folder / "demo/questura/interscambio.sqlite3"
    after_flows = "SELECT count(*) FROM reconciliation_run WHERE trigger = 'flusso' AND error = ''"
    assert count(comune, after_flows) == count(
        comune, "SELECT count(*) FROM exchange_flow WHERE direction = 'in' AND state = 'applied'"
    )
    assert count(questura, after_flows) > 0
    assert count(comune, "SELECT count(*) FROM reconciliation_link") > 0
    assert count(comune, "SELECT count(*) FROM registry_registryevent WHERE event_id LIKE 'RIC%'")
    assert count(questura, "SELECT count(*) FROM reconciliation_discrepancy") > 0
    assert "5. Reconciliation" in result.stdout and "titolare_non_iscritto" in result.stdout


def test_the_portal_has_an_account_of_each_kind_with_the_password_in_a_private_file(
    first_run: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    from django.contrib.auth.hashers import check_password

    folder, result = first_run
    secret = folder / "demo/portal-password.txt"
    assert oct(secret.stat().st_mode & 0o777) == "0o600"
    password = secret.read_text(encoding="utf-8").strip()
    comune = folder / "demo/comune/interscambio.sqlite3"
    with sqlite3.connect(comune) as connection:
        users = dict(connection.execute("SELECT username, password FROM auth_user"))
        roles = set(
            connection.execute(
                "SELECT u.username, a.role FROM access_authorization a "
                "JOIN auth_user u ON u.id = a.user_id WHERE a.revoked_at IS NULL"
            )
        )
    assert roles == {
        ("operatore", "operatore_anagrafe"),
        ("amministratore", "amministratore_anagrafe"),
        ("agente", "consultatore_questura"),
        ("supervisore", "supervisore_prefettura"),
    }
    assert all(check_password(password, hashed) for hashed in users.values())
    assert password not in result.stdout  # named by its file, never printed
    assert "6. The portal" in result.stdout and "demo --serve" in result.stdout
