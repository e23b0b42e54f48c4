# SPDX-License-Identifier: EUPL-1.2
"""Pruning the node's access log behind a signed checkpoint: the log verifies from it, every
later tampering is still named, a prune without a sound checkpoint is caught, the next entry
chains on, the retention setting drives the purge job and a dry run changes nothing."""

from __future__ import annotations

import re
import threading
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections, transaction
from django.utils import timezone

from interscambio.audit import actions, log
from interscambio.audit.models import Checkpoint, LogEntry, SignedTreeHead
from interscambio.core.auditlog import (
    GENESIS,
    MerkleTree,
    TreeHead,
    leaf_hash,
    make_checkpoint,
    sign_checkpoint,
    sign_tree_head,
)
from interscambio.exchange.trust import init_keys, node_identity
from interscambio.operations import retention
from tests.test_audit_app import _swap
from tests.test_auditlog import ROOT, run_script

NOW = timezone.now()
OLD = NOW - timedelta(days=40)
CUT_OFF = NOW - timedelta(days=30)


@pytest.fixture
def node(settings: Any, tmp_path: Path, db: None) -> None:
    settings.DATA_DIR = tmp_path / "node"
    settings.NODE_ROLE, settings.NODE_ID, settings.NODE_NAME = "comune", "001272", "Torino"
    init_keys()


def read(n: int, at: Any = None) -> LogEntry:
    return log.append(
        "consultazione", user=f"agente.{n}", office="Questura di Torino", role="consultatore",
        query={"codice_fiscale_hash": f"h{n}"}, purpose="rinnovo", case_reference=f"2026/{n}",
        records=[f"R{n}"], at=at,
    )  # fmt: skip


@pytest.fixture
def old_log(node: None) -> None:
    """Six entries of 40 days ago and a head on them; three of today and a head on all."""
    for n in range(6):
        read(n, OLD)
    log.sign_head()
    for n in range(6, 9):
        read(n)
    log.sign_head()


def indices() -> list[int]:
    return list(LogEntry.objects.order_by("pk").values_list("index", flat=True))


def test_a_prune_leaves_a_log_that_verifies_from_its_checkpoint(old_log: None) -> None:
    pruned = log.prune(CUT_OFF, by="m.rossi")
    assert pruned is not None and (pruned.entries, pruned.first, pruned.size) == (6, 0, 6)
    assert indices() == [6, 7, 8, 9]
    point = Checkpoint.objects.get()
    assert point.size == 6 and point.cut_off == CUT_OFF
    assert point.root_hash == SignedTreeHead.objects.get(size=6).root_hash
    result = log.verify()
    assert result.ok and (result.start, result.entries, result.covered) == (6, 4, 9), result.message
    # The prune is in the log, for the supervisor to see.
    entry = LogEntry.objects.get(index=9)
    assert (entry.action, entry.user) == (actions.LOG_PRUNED, "m.rossi")
    assert entry.entry["query"] == {
        "anteriori_a": entry.entry["query"]["anteriori_a"], "voci": 6, "dalla": 0, "alla": 5,
        "checkpoint": 6,
    }  # fmt: skip


def test_only_entries_a_signed_head_covers_are_pruned(node: None) -> None:
    for n in range(4):
        read(n, OLD)
    log.sign_head()
    read(4, OLD)  # old, but no head covers it yet
    read(5)
    pruned = log.prune(CUT_OFF)
    assert pruned is not None and pruned.size == 4
    assert indices() == [4, 5, 6]
    assert log.prune(CUT_OFF) is None  # nothing more until a head covers entry 4


def test_nothing_to_prune_changes_nothing(old_log: None) -> None:
    assert log.prune(OLD - timedelta(days=1)) is None
    assert indices() == list(range(9)) and not Checkpoint.objects.exists()


def test_a_dry_run_changes_nothing(old_log: None) -> None:
    pruned = log.prune(CUT_OFF, dry_run=True)
    assert pruned is not None and pruned.entries == 6
    assert indices() == list(range(9)) and not Checkpoint.objects.exists()
    call_command("audit", "prune", "--before", CUT_OFF.date().isoformat(), "--dry-run")
    assert indices() == list(range(9)) and not Checkpoint.objects.exists()


def test_a_log_that_does_not_verify_is_not_pruned(old_log: None) -> None:
    entry = LogEntry.objects.get(index=2)
    LogEntry.objects.filter(pk=entry.pk).update(record=entry.record.replace("agente", "agenta"))
    with pytest.raises(log.PruneError, match="does not verify, nothing was pruned: altered"):
        log.prune(CUT_OFF)
    assert indices() == list(range(9)) and not Checkpoint.objects.exists()


def test_the_next_entry_chains_on_after_a_prune(old_log: None) -> None:
    log.prune(CUT_OFF)
    last = LogEntry.objects.get(index=9)
    after = read(10)
    assert after.index == 10 and f'"previous":"{last.leaf_hash}"' in after.record
    head = log.sign_head()
    assert head.size == 11
    result = log.verify()
    assert result.ok and result.covered == 11, result.message


def test_a_second_prune_builds_on_the_first(old_log: None) -> None:
    log.prune(CUT_OFF)
    log.sign_head()  # covers the prune's own entry: 10 entries
    later = NOW + timedelta(days=40)
    pruned = log.prune(later - timedelta(days=30), now=later)
    assert pruned is not None and (pruned.first, pruned.size) == (6, 10)
    assert indices() == [10]
    assert list(Checkpoint.objects.values_list("size", flat=True)) == [6, 10]
    result = log.verify()
    assert result.ok and result.start == 10, result.message
    # Checkpoints are never deleted: without the newest, the entries it pruned are missing.
    Checkpoint.objects.filter(size=10).delete()
    result = log.verify()
    assert (str(result.kind), result.index) == ("removed", 6), result.message


def _delete(*numbers: int) -> None:
    LogEntry.objects.filter(index__in=numbers).delete()


def _alter(index: int) -> None:
    entry = LogEntry.objects.get(index=index)
    LogEntry.objects.filter(pk=entry.pk).update(record=entry.record.replace("agente", "agenta"))


@pytest.mark.parametrize(
    ("tamper", "kind", "index"),
    [
        (lambda: _alter(7), "altered", 7),
        (lambda: _delete(8), "removed", 8),
        (lambda: _swap(7, 8), "reordered", 7),
        (lambda: _delete(6), "removed", 6),  # the first entry kept
        (lambda: _delete(6, 7), "removed", 6),  # more rows pruned than the checkpoint says
    ],
)  # fmt: skip
def test_tampering_after_a_prune_is_named(
    old_log: None, tamper: Any, kind: str, index: int
) -> None:
    log.prune(CUT_OFF)
    tamper()
    result = log.verify()
    assert (result.ok, str(result.kind), result.index) == (False, kind, index), result.message
    with pytest.raises(CommandError, match=kind):
        call_command("audit", "verify")


def test_a_pruned_row_put_back_is_named(old_log: None) -> None:
    row = LogEntry.objects.get(index=5)
    log.prune(CUT_OFF)
    row.pk = None
    row.save()  # now after the kept rows in storage order
    result = log.verify()
    assert (str(result.kind), result.index) == ("inserted", 10), result.message


def test_rows_deleted_without_a_checkpoint_are_named(old_log: None) -> None:
    _delete(0, 1, 2)
    result = log.verify()
    assert (str(result.kind), result.index) == ("removed", 0), result.message
    assert "entries 0-2 are missing" in result.message


def _resign(point: Any) -> None:
    """The stored checkpoint replaced by `point`, signed with the node's own key."""
    forged = sign_checkpoint(node_identity(), point)
    Checkpoint.objects.update(token=forged.token)


def test_a_forged_checkpoint_is_caught(old_log: None) -> None:
    log.prune(CUT_OFF)
    token = Checkpoint.objects.get().token
    Checkpoint.objects.update(token=token[:-6] + "AAAAAA")
    with pytest.raises(CommandError, match="checkpoint's signature does not match"):
        call_command("audit", "verify")
    Checkpoint.objects.update(token=token)
    point = log.checkpoints()[0].checkpoint
    other = MerkleTree([leaf_hash(bytes([n])) for n in range(6)])
    another_history = make_checkpoint(
        other, 6, log_id=log.log_id(), timestamp=point.timestamp, since=()
    )
    for forged, why in [
        (replace(point, frontier=other.frontier(6)), "its frontier does not give its root"),
        (replace(point, previous=GENESIS), "its chain link is not the hash of entry 5"),
        (another_history, "does not agree with the tree head signed at"),
    ]:
        _resign(forged)
        result = log.verify()
        assert (str(result.kind), result.index) == ("checkpoint", 0), result.message
        assert why in result.message
        with pytest.raises(CommandError, match="checkpoint"):
            call_command("audit", "verify")
    Checkpoint.objects.update(token=token)
    assert log.verify().ok


def test_the_prune_command_says_what_it_pruned(old_log: None, capsys: Any) -> None:
    day = timezone.localdate(CUT_OFF).isoformat()
    call_command("audit", "prune", "--before", day, "--by", "m.rossi")
    out = capsys.readouterr().out
    assert "pruned 6 entries (0-5)" in out and "goes on from entry 6" in out
    call_command("audit", "prune", "--before", day)
    assert "nothing to prune" in capsys.readouterr().out


def test_the_purge_job_prunes_by_the_retention_setting(old_log: None, settings: Any) -> None:
    settings.RETAIN_AUDIT_DAYS = 0  # never
    assert retention.purge(NOW).audit_entries == 0 and indices() == list(range(9))
    settings.RETAIN_AUDIT_DAYS = 45
    assert retention.purge(NOW).audit_entries == 0 and indices() == list(range(9))
    settings.RETAIN_AUDIT_DAYS = 30
    assert retention.purge(NOW, dry_run=True).audit_entries == 6
    assert indices() == list(range(9))
    done = retention.purge(NOW)
    assert done.audit_entries == 6 and not done.audit_error and indices() == [6, 7, 8, 9]
    assert log.verify().ok


def test_the_purge_job_says_why_a_log_was_not_pruned(old_log: None, settings: Any) -> None:
    settings.RETAIN_AUDIT_DAYS = 30
    _alter(3)
    with pytest.raises(CommandError, match=r"the access log was not pruned: .*altered"):
        call_command("purge")
    assert indices() == list(range(9))


def test_the_retention_counts_whole_local_days(settings: Any) -> None:
    settings.RETAIN_AUDIT_DAYS = 30
    cut_off = retention.audit_cut_off(NOW)
    assert cut_off is not None
    assert timezone.localtime(cut_off).time().isoformat() == "00:00:00"
    assert timezone.localdate(cut_off) == timezone.localdate(NOW) - timedelta(days=30)
    settings.RETAIN_AUDIT_DAYS = 0
    assert retention.audit_cut_off(NOW) is None


def test_an_export_after_a_prune_passes_the_offline_check(old_log: None, tmp_path: Path) -> None:
    log.prune(CUT_OFF)
    log.sign_head()
    out = tmp_path / "export"
    assert log.export(out) == (4, 3)
    assert (out / "checkpoints.txt").read_text().count("\n") == 1
    assert log.verify_files(out).ok
    script = re.search(r"```python\n(.*?)```", (ROOT / "docs/audit-log.md").read_text(), re.S)
    assert script is not None
    run = run_script(script.group(1), out)
    assert run() == [
        "OK checkpoint of 6 entries",
        "OK head of 6 entries",
        "OK head of 9 entries",
        "OK head of 10 entries",
    ]
    lines = (out / "log.jsonl").read_bytes().splitlines()
    (out / "log.jsonl").write_bytes(b"".join(line + b"\n" for line in lines[1:]))
    assert run()[2:] == ["MISMATCH head of 9 entries", "MISMATCH head of 10 entries"]
    with pytest.raises(CommandError, match="removed"):
        call_command("audit", "verify", "--files", str(out))


def test_the_heads_before_a_prune_stay_verifiable_offline(node: None, tmp_path: Path) -> None:
    for n in range(4):
        read(n, OLD)
    log.sign_head()
    for n in range(4, 6):
        read(n, OLD)
    log.sign_head()
    read(6)
    log.prune(CUT_OFF)
    out = tmp_path / "export"
    log.export(out)
    script = re.search(r"```python\n(.*?)```", (ROOT / "docs/audit-log.md").read_text(), re.S)
    assert script is not None
    run = run_script(script.group(1), out)
    assert run() == ["OK checkpoint of 6 entries", "OK head of 4 entries", "OK head of 6 entries"]
    # Heads the supervisor kept from earlier inspections: one of another history, and one of a
    # size the node never published, so the checkpoint holds no proof from it.
    for size in (4, 5):
        other = MerkleTree([leaf_hash(bytes([n])) for n in range(size)])
        stray = sign_tree_head(node_identity(), TreeHead(log.log_id(), size, other.root(), NOW))
        with (out / "heads.txt").open("a") as heads:
            heads.write(stray.token + "\n")
    assert run()[3:] == ["MISMATCH head of 4 entries", "NO PROOF head of 5 entries"]
    with pytest.raises(CommandError, match=r"checkpoint: .*for 4 entries"):
        call_command("audit", "verify", "--files", str(out))


def test_the_cut_off_day_comes_from_the_command_line(old_log: None) -> None:
    with pytest.raises(CommandError, match=r"[Ii]nvalid"):
        call_command("audit", "prune", "--before", "2026-13-01")
    call_command("audit", "prune", "--before", timezone.localdate().isoformat(), "--dry-run")
    assert indices() == list(range(9))


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serializes writers by itself; the test database is one in-memory file",
)
def test_a_prune_among_appends_and_heads_keeps_a_log_that_verifies(
    settings: Any, tmp_path: Path, transactional_db: None
) -> None:
    settings.DATA_DIR = tmp_path
    init_keys()
    for n in range(20):
        read(n, OLD)
    log.sign_head()
    failures: list[BaseException] = []
    start = threading.Barrier(5)

    def appends(n: int) -> None:
        for i in range(15):
            with transaction.atomic():
                log.append("consultazione", user=f"agente.{n}", records=[f"residente:{i}"])

    def heads() -> None:
        for _ in range(10):
            log.sign_head()

    def prune() -> None:
        assert log.prune(CUT_OFF) is not None

    def run(job: Any, *args: Any) -> None:
        try:
            start.wait()
            job(*args)
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()

    jobs = [(appends, 0), (appends, 1), (appends, 2), (heads,), (prune,)]
    threads = [threading.Thread(target=run, args=job) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures, failures
    assert list(Checkpoint.objects.values_list("size", flat=True)) == [20]
    assert indices() == list(range(20, 20 + 45 + 1))
    log.sign_head()
    result = log.verify()
    assert result.ok and result.covered == 66, result.message
