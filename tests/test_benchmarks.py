# SPDX-License-Identifier: EUPL-1.2
"""The benchmarks keep working: each runs on a small input, as a user runs it. No timing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from interscambio.demo.services import free_port

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def benchmark(script: str, *args: str) -> str:
    """Run a benchmark as a user does, on SQLite (whatever database the suite runs on); its
    output, after checking that it succeeded."""
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_the_flow_benchmark_prints_export_and_import_figures() -> None:
    output = benchmark("flows.py", "--records", "2000", "--databases", "sqlite")
    rows = [line.split() for line in output.splitlines() if line.startswith("sqlite ")]
    phases = {row[1]: row[2:] for row in rows}
    assert {"export", "import", "read"} <= phases.keys()
    assert phases["export"][0] == phases["import"][0] == "2,000"
    assert "flow file (sqlite)" in output


def test_the_api_load_benchmark_prints_rates_and_latencies() -> None:
    output = benchmark(
        "api_load.py",
        "--residents",
        "1000",
        "--seconds",
        "1",
        "--database",
        "sqlite",
        "--port",
        str(free_port()),  # not a fixed one: another run of the suite may be using it
    )
    lines = {line.split()[0]: line for line in output.splitlines() if "req/s" in line}
    assert set(lines) == {"verifica", "consultazione"}
    for line in lines.values():
        assert " 0 errors" in line and "p99" in line and "target" in line


def test_the_province_benchmark_prints_the_questura_and_hub_runs() -> None:
    output = benchmark(
        "province.py",
        "--comuni",
        "12",
        "--residents",
        "3000",
        "--hub-comuni",
        "3",
        "--database",
        "sqlite",
    )
    runs = {
        line[:18].strip(): line[18:].split()
        for line in output.splitlines()
        if line.startswith(("Questura monthly", "hub fortnightly"))
    }
    # Comuni, flows, records: one flow for each Comune, and records in them.
    assert runs["Questura monthly"][:2] == ["12", "12"]
    assert runs["hub fortnightly"][:2] == ["3", "3"]
    assert all(int(figures[2].replace(",", "")) > 0 for figures in runs.values())
    assert "12 flows written, one into each Comune's outbox" in output
    assert "3 flows written, one from each Comune for the Questura" in output
    assert "hub set-up: 3 Comuni added" in output
