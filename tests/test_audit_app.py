# SPDX-License-Identifier: EUPL-1.2
"""The node's access log: appended in the reader's transaction, heads signed, the whole log
verified (the first tampered entry named) and exported for the Prefettura's offline check."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from interscambio.audit import log
from interscambio.audit.models import LogEntry
from interscambio.core.auditlog import encode_record, leaf_hash
from interscambio.exchange.trust import init_keys
from tests.test_auditlog import ROOT, run_script


@pytest.fixture
def node(settings: Any, tmp_path: Path, db: None) -> None:
    settings.DATA_DIR = tmp_path / "node"
    settings.NODE_ROLE, settings.NODE_ID, settings.NODE_NAME = "comune", "001272", "Torino"
    init_keys()


def read(n: int) -> LogEntry:
    return log.append(
        "consultazione", user=f"agente.{n}", office="Questura di Torino", role="consultatore",
        query={"codice_fiscale_hash": f"h{n}"}, purpose="rinnovo", case_reference=f"2026/{n}",
        records=[f"R{n}"],
    )  # fmt: skip


def test_entries_follow_each_other_and_a_head_vouches_for_them(node: None) -> None:
    entries = [read(n) for n in range(5)]
    assert [e.index for e in entries] == list(range(5))
    assert f'"previous":"{entries[1].leaf_hash}"' in entries[2].record
    head = log.sign_head()
    assert head.size == 5
    result = log.verify()
    assert result.ok and result.covered == 5, result.message


def test_an_entry_is_undone_with_the_read_it_records(node: None) -> None:
    read(0)
    with pytest.raises(RuntimeError), transaction.atomic():
        read(1)
        raise RuntimeError("the read failed before the data left")
    assert list(LogEntry.objects.values_list("index", flat=True)) == [0]
    assert read(1).index == 1


def _swap(a: int, b: int) -> None:
    """Two rows trade their contents in place, as an UPDATE on the table would do it."""
    first, second = LogEntry.objects.get(index=a), LogEntry.objects.get(index=b)
    LogEntry.objects.filter(pk=first.pk).update(record=second.record, leaf_hash=second.leaf_hash)
    LogEntry.objects.filter(pk=second.pk).update(record=first.record, leaf_hash=first.leaf_hash)


def _insert(at: int) -> None:
    """A forged entry slipped in at position `at`, well formed and linked to the one before,
    the later rows moved down one (the table gains a row at its end)."""
    rows = list(LogEntry.objects.order_by("pk"))
    previous = bytes.fromhex(rows[at - 1].leaf_hash)
    forged = encode_record(at, previous, {"user": "intruso", "action": "consultazione"})
    last = rows[-1]
    LogEntry.objects.create(
        index=last.index + 1, at=last.at, user="x", action="x", record="", leaf_hash=""
    )
    rows = list(LogEntry.objects.order_by("pk"))
    for position in range(len(rows) - 1, at, -1):
        moved = rows[position - 1]
        LogEntry.objects.filter(pk=rows[position].pk).update(
            record=moved.record, leaf_hash=moved.leaf_hash
        )
    LogEntry.objects.filter(pk=rows[at].pk).update(
        record=forged.decode("utf-8"), leaf_hash=leaf_hash(forged).hex()
    )


@pytest.mark.parametrize(
    ("tamper", "kind", "index"),
    [
        (lambda: LogEntry.objects.filter(index=2).update(
            record=LogEntry.objects.get(index=2).record.replace("agente.2", "agente.9")
        ), "altered", 2),
        (lambda: LogEntry.objects.filter(index=3).delete(), "removed", 3),
        (lambda: _swap(2, 3), "reordered", 2),
        (lambda: _insert(3), "inserted", 3),
    ],
)  # fmt: skip
def test_verify_names_the_first_tampered_entry(
    node: None, tamper: Any, kind: str, index: int
) -> None:
    for n in range(6):
        read(n)
    log.sign_head()
    tamper()
    result = log.verify()
    assert (result.ok, str(result.kind), result.index) == (False, kind, index), result.message
    with pytest.raises(CommandError, match=kind):
        call_command("audit", "verify")


def test_the_export_passes_the_supervisors_offline_check(node: None, tmp_path: Path) -> None:
    for n in range(4):
        read(n)
    call_command("audit", "head")
    read(4)
    call_command("audit", "head")
    out = tmp_path / "export"
    call_command("audit", "export", "--out", str(out))
    assert len((out / "log.jsonl").read_bytes().splitlines()) == 5
    script = re.search(r"```python\n(.*?)```", (ROOT / "docs/audit-log.md").read_text(), re.S)
    assert script is not None
    assert run_script(script.group(1), out)() == ["OK head of 4 entries", "OK head of 5 entries"]


def test_an_export_is_verified_as_the_prefettura_receives_it(node: None, tmp_path: Path) -> None:
    for n in range(5):
        read(n)
    log.sign_head()
    out = tmp_path / "export"
    log.export(out)
    assert log.verify_files(out).ok
    lines = (out / "log.jsonl").read_bytes().splitlines()
    lines[1], lines[2] = lines[2], lines[1]
    (out / "log.jsonl").write_bytes(b"".join(line + b"\n" for line in lines))
    with pytest.raises(CommandError, match="reordered"):
        call_command("audit", "verify", "--files", str(out))


def test_heads_come_at_the_configured_interval(node: None, settings: Any) -> None:
    from datetime import UTC, datetime, timedelta

    settings.AUDIT_HEAD_INTERVAL_MINUTES = 60
    start = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    read(0)
    assert log.sign_head_if_due(start) is not None
    assert log.sign_head_if_due(start + timedelta(minutes=59)) is None
    again = log.sign_head_if_due(start + timedelta(minutes=60))
    assert again is not None and again.size == 1  # a quiet hour still gets its head
