# SPDX-License-Identifier: EUPL-1.2
"""Backup and restore: a restored node verifies its access log, continues its sequences and
sends nothing twice; a backup of another node, a damaged one, or a target that is not empty
is refused."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from interscambio.exchange.trust import init_keys
from interscambio.operations import backups
from tests.nodes import NodeProcess, node_database

PASSWORD = "Sintetica-Password-2026!"


def test_a_restored_node_verifies_its_log_continues_its_sequences_and_sends_nothing_twice(
    tmp_path: Path,
) -> None:
    outbox = tmp_path / "to-questura"
    (tmp_path / "password").write_text(PASSWORD)
    with node_database(tmp_path / "a") as first_url, node_database(tmp_path / "b") as second_url:
        first = NodeProcess("comune", "001272", tmp_path / "first", first_url)
        first.run("migrate", "-v", "0")
        first.run("keys", "init")
        first.run("partner", "add", "TO", "--name", "Questura", "--transport", "file",
                  "--outbox", str(outbox), "--since", "2026-10-01")  # fmt: skip
        first.run("access", "user", "operatore.uno", "--password-file",
                  str(tmp_path / "password"), "--by", "test")  # fmt: skip
        first.run("audit", "head")
        for period in ("2026-10-1", "2026-10-2"):
            first.run("flow", "export", "--period", period)
        first.run("flow", "send")
        sent = sorted(p.name for p in outbox.iterdir())
        assert sent  # the October fortnights, each with its signature
        first.run("backup", "create", str(tmp_path / "backup"))

        second = NodeProcess("comune", "001272", tmp_path / "second", second_url)
        restored = second.run("backup", "restore", str(tmp_path / "backup")).stdout
        assert "access log: " in restored
        assert "OK" in second.run("audit", "verify").stdout
        assert second.query("sorted(Flow.objects.values_list('sequence', 'state'))") == (
            "[(1, 'sent'), (2, 'sent')]"
        )
        # The round exports the fortnights since, numbered on, and sends only those.
        second.run("schedule", "run")
        sequences = second.query("sorted(Flow.objects.values_list('sequence', flat=True))")
        assert sequences == "[1, 2, 3, 4]"
        now = sorted(p.name for p in outbox.iterdir())
        assert set(sent) < set(now) and len(now) == 2 * len(sent)
        assert second.run("flow", "send", "--now").stdout.strip() == "nothing to send"


@pytest.fixture
def node(settings: Any, tmp_path: Path, transactional_db: None) -> Path:
    settings.DATA_DIR = tmp_path / "node"
    settings.NODE_ROLE, settings.NODE_ID, settings.NODE_NAME = "comune", "001272", "Torino"
    init_keys()
    return tmp_path


def test_a_backup_holds_the_database_the_files_and_their_checksums(node: Path) -> None:
    made = backups.create(node / "backup")
    manifest = json.loads((node / "backup" / backups.MANIFEST).read_text())
    assert manifest == made.manifest and manifest["node_id"] == "001272"
    database = backups.SQLITE if connection.vendor == "sqlite" else backups.POSTGRES
    assert set(manifest["files"]) == {backups.FILES, database}
    with tarfile.open(node / "backup" / backups.FILES) as tar:
        names = tar.getnames()
    assert "keys/node.key" in names and "keys/node.crt" in names
    assert not any(n.endswith(".sqlite3") for n in names)
    assert (node / "backup" / backups.FILES).stat().st_mode & 0o077 == 0


def test_a_backup_goes_into_a_new_folder(node: Path) -> None:
    (node / "full").mkdir()
    (node / "full" / "x").write_text("x")
    with pytest.raises(backups.BackupError, match="not empty"):
        backups.create(node / "full")


def test_a_backup_of_another_node_is_refused(node: Path, settings: Any) -> None:
    backups.create(node / "backup")
    settings.NODE_ID = "001999"
    with pytest.raises(backups.BackupError, match="comune node 001272, this is the comune node"):
        backups.restore(node / "backup")


def test_a_damaged_backup_is_refused(node: Path) -> None:
    backups.create(node / "backup")
    with (node / "backup" / backups.FILES).open("ab") as damaged:
        damaged.write(b"\0")
    with pytest.raises(backups.BackupError, match="SHA-256 is not the manifest's"):
        backups.restore(node / "backup")


def test_a_restore_needs_an_empty_node(node: Path) -> None:
    backups.create(node / "backup")
    with pytest.raises(backups.BackupError, match="database is not empty"):
        backups.restore(node / "backup")
