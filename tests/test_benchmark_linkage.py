# SPDX-License-Identifier: EUPL-1.2
"""The linkage benchmark keeps working: its quick run, as a user runs it. No timing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARK = Path(__file__).resolve().parents[1] / "benchmarks" / "linkage.py"
LINKERS = ("interscambio", "splink", "recordlinkage")
DATASETS = ("city2k", "febrl4")


@pytest.fixture(scope="module")
def quick_run() -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(BENCHMARK), "--quick", "--linkers", ",".join(LINKERS)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def table(output: str) -> dict[tuple[str, str], list[str]]:
    """{(dataset, linker): [pairs, precision, recall, F1, seconds, peak MB]}."""
    rows = [line.split() for line in output.splitlines()]
    # The target checks after the table also name linkers; a table row starts with a data set.
    return {
        (row[0], row[1]): row[2:]
        for row in rows
        if len(row) > 2 and row[0] in DATASETS and row[1] in LINKERS
    }


def test_the_quick_run_prints_a_row_per_data_set_and_linker(
    quick_run: subprocess.CompletedProcess[str],
) -> None:
    assert quick_run.returncode == 0, quick_run.stdout + quick_run.stderr
    rows = table(quick_run.stdout)
    assert set(rows) == {(d, k) for d in DATASETS for k in LINKERS}
    assert "city2k: 2,3" in quick_run.stdout  # about 2,300 registry persons
    assert "febrl4: 5,000 x 5,000 records, 5,000 true pairs" in quick_run.stdout


def test_the_metrics_are_sane(quick_run: subprocess.CompletedProcess[str]) -> None:
    for key, (pairs, precision, recall, f1, seconds, peak) in table(quick_run.stdout).items():
        assert int(pairs.replace(",", "")) > 0, key
        p, r = float(precision), float(recall)
        assert 0 <= p <= 1 and 0 <= r <= 1, key
        assert min(p, r) - 1e-4 <= float(f1) <= max(p, r) + 1e-4, key
        assert float(seconds) > 0 and float(peak) > 0, key


def test_the_peers_link_febrl4_and_the_city_well(
    quick_run: subprocess.CompletedProcess[str],
) -> None:
    rows = table(quick_run.stdout)
    # Measured: splink 0.98 on febrl4 and 0.997 on the city, recordlinkage 0.98 and 0.93.
    assert float(rows["febrl4", "splink"][3]) > 0.9
    assert float(rows["febrl4", "recordlinkage"][3]) > 0.9
    assert float(rows["city2k", "splink"][3]) > 0.95
    assert float(rows["city2k", "recordlinkage"][3]) > 0.85


def test_the_targets_are_checked(quick_run: subprocess.CompletedProcess[str]) -> None:
    targets = quick_run.stdout.split("targets:", 1)[1]
    for name in ("city2k", "febrl4"):
        assert f"interscambio F1 > splink F1 on {name}" in targets
        assert f"interscambio time < splink time on {name}" in targets
    assert "not measured" not in targets
