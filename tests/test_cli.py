# SPDX-License-Identifier: EUPL-1.2
"""The `interscambio` command as a user runs it: a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from interscambio.cli import COMMANDS


def interscambio(*args: str, data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environment.update(INTERSCAMBIO_DATA_DIR=str(data_dir), **env)
    return subprocess.run(
        [sys.executable, "-m", "interscambio", *args],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def test_help_lists_every_command_with_one_line(tmp_path: Path) -> None:
    result = interscambio("--help", data_dir=tmp_path)
    assert result.returncode == 0
    for name, text in COMMANDS.items():
        assert f"  {name}" in result.stdout
        assert text in result.stdout


def test_an_unknown_command_is_refused(tmp_path: Path) -> None:
    result = interscambio("frobnicate", data_dir=tmp_path)
    assert result.returncode == 2
    assert "unknown command 'frobnicate'" in result.stderr


def test_a_node_reports_its_role_and_database(tmp_path: Path) -> None:
    env = {"INTERSCAMBIO_ROLE": "questura", "INTERSCAMBIO_NODE_ID": "TO"}
    assert interscambio("migrate", "-v", "0", data_dir=tmp_path, **env).returncode == 0
    result = interscambio("node", "--json", data_dir=tmp_path, **env)
    info = json.loads(result.stdout)
    assert (info["role"], info["node_id"]) == ("questura", "TO")
    assert info["database"]["name"] == str(tmp_path / "interscambio.sqlite3")
    assert info["counts"]["permits"] == 0


def test_an_unknown_role_stops_the_node(tmp_path: Path) -> None:
    result = interscambio("node", data_dir=tmp_path, INTERSCAMBIO_ROLE="prefettura")
    assert result.returncode != 0
    assert "INTERSCAMBIO_ROLE must be 'comune' or 'questura'" in result.stderr


def test_a_node_not_yet_migrated_says_to_migrate_rather_than_a_traceback(tmp_path: Path) -> None:
    result = interscambio("node", data_dir=tmp_path)
    assert result.returncode == 1
    assert "not up to date" in result.stderr and "run `interscambio migrate` first" in result.stderr
    assert "Traceback" not in result.stderr
    assert interscambio("migrate", "-v", "0", data_dir=tmp_path).returncode == 0
    assert interscambio("node", data_dir=tmp_path).returncode == 0


def test_a_command_does_not_import_what_only_a_download_draws_or_writes(tmp_path: Path) -> None:
    # Every command's checks load the URLs; the PDF, chart and spreadsheet libraries cost
    # about a second together, which only a report, a letter or a download should pay.
    script = (
        "import sys, django; from django.core.management import call_command; django.setup(); "
        "call_command('check'); "
        "print(sorted({'fpdf', 'matplotlib', 'openpyxl'} & set(sys.modules)))"
    )
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environment.update(
        INTERSCAMBIO_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="interscambio.project.settings"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], env=environment, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"
