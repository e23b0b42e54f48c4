# SPDX-License-Identifier: EUPL-1.2
"""The outbox keeps what it cannot deliver, the calendar says what is late, rounds never overlap."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from interscambio.core.extracts import EVENTS, RESIDENTS, STREETS
from interscambio.core.flows import Period
from interscambio.demo.services import free_port
from interscambio.exchange import outbox, status
from interscambio.exchange.export import export_flow
from interscambio.exchange.models import Flow, Partner
from interscambio.exchange.schedule import Busy, exclusive, run_round
from interscambio.exchange.transport import files
from interscambio.exchange.trust import init_keys
from interscambio.registry.loading import load_registry, load_streets
from tests import rows

TODAY = date(2026, 11, 22)


@pytest.fixture
def comune(settings: Any, tmp_path: Path, db: None) -> Path:
    settings.DATA_DIR = tmp_path / "comune"
    settings.NODE_ROLE, settings.NODE_ID, settings.NODE_NAME = "comune", "001272", "Torino"
    init_keys()
    return tmp_path


def fortnights(partner: Partner, count: int) -> list[Flow]:
    starts = [date(2026, 10, 1), date(2026, 10, 16), date(2026, 11, 1)][:count]
    return [
        export_flow(partner, Period(s, s + timedelta(days=14 if s.day == 1 else 15)), today=TODAY)
        for s in starts
    ]


def test_backoff_doubles_from_a_minute_up_to_six_hours() -> None:
    waits = [outbox.backoff(n) for n in range(1, 12)]
    assert waits[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert waits[-1] == timedelta(hours=6) and waits == sorted(waits)


def test_an_unreachable_partner_keeps_the_flows_queued_in_order(comune: Path) -> None:
    partner = Partner.objects.create(
        node_id="TO", name="Q", transport="api", url=f"http://127.0.0.1:{free_port()}/",
        since=date(2026, 10, 1),
    )  # fmt: skip
    first, second, _ = fortnights(partner, 3)
    attempts = outbox.send_due()
    # Only the first is tried: the later ones wait behind it, in sequence order.
    assert [a.flow.pk for a in attempts] == [first.pk]
    assert not attempts[0].ok and "cannot be reached" in attempts[0].message
    first.refresh_from_db()
    assert (first.state, first.attempts) == ("queued", 1)
    assert first.next_attempt is not None and first.next_attempt > timezone.now()
    assert outbox.send_due() == []  # not yet time to retry
    second.refresh_from_db()
    assert (second.state, second.attempts) == ("queued", 0)


def test_an_outbox_that_cannot_be_written_keeps_the_flow_queued(comune: Path) -> None:
    blocked = comune / "outbox-is-a-file"
    blocked.write_text("not a folder")
    partner = Partner.objects.create(
        node_id="TO", name="Q", transport="file", outbox=str(blocked), since=date(2026, 11, 1)
    )
    flow = export_flow(partner, Period(date(2026, 11, 1), date(2026, 11, 15)), today=TODAY)
    [attempt] = outbox.send_due()
    assert not attempt.ok and str(blocked) in attempt.message
    flow.refresh_from_db()
    assert flow.state == "queued" and flow.last_error


def registrations(folder: Path, count: int, *, on: str) -> None:
    """`count` residents registered on day `on`: a registry flow with `count` records."""
    people = [rows.resident(n, data_iscrizione=on) for n in range(1, count + 1)]
    events = [rows.event(n, n, data_evento=on) for n in range(1, count + 1)]
    load_streets(rows.write(folder / "stradario.csv", STREETS, [rows.street()]))
    load_registry(
        rows.write(folder / "anagrafe.csv", RESIDENTS, people),
        rows.write(folder / "eventi.csv", EVENTS, events),
    )


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 64 KiB file system (tmpfs) to fill up; mounting one needs root."""
    folder = tmp_path / "small-disk"
    folder.mkdir()
    mount = ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)]
    if shutil.which("mount") is None or subprocess.run(mount, capture_output=True).returncode:
        pytest.skip("mounting a tmpfs needs root (CI runs as root)")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def fill(disk: Path, leave: int = 0) -> Path:
    """Fill `disk` to the last byte, then free `leave` bytes."""
    filler = disk / "filler"
    with filler.open("wb", buffering=0) as out:
        try:
            while True:
                out.write(b"\0" * 4096)
        except OSError as error:
            assert error.errno == errno.ENOSPC
    os.truncate(filler, max(filler.stat().st_size - leave, 0))
    return filler


@pytest.mark.parametrize("free", [0, 4096], ids=["full", "room-for-the-signature-only"])
def test_a_full_outbox_disk_keeps_the_flow_queued_leaves_nothing_and_delivers_once_freed(
    comune: Path, small_disk: Path, free: int
) -> None:
    folder = small_disk / "to-questura"
    folder.mkdir()
    partner = Partner.objects.create(
        node_id="TO", name="Q", transport="file", outbox=str(folder), since=date(2026, 11, 1)
    )
    registrations(comune, 20, on="2026-11-05")
    flow = export_flow(partner, Period(date(2026, 11, 1), date(2026, 11, 15)), today=TODAY)
    # With one page free the signature fits and the flow itself does not: it fails partway.
    assert len(flow.signature) < 4096 < flow.path.stat().st_size
    filler = fill(small_disk, leave=free)
    [attempt] = outbox.send_due()
    assert not attempt.ok
    assert f"cannot write {folder}" in attempt.message
    assert "No space left on device" in attempt.message
    flow.refresh_from_db()
    assert (flow.state, flow.attempts) == ("queued", 1)
    assert "No space left on device" in flow.last_error
    assert list(folder.iterdir()) == []  # no partial file, no signature without its flow
    filler.unlink()  # space is back
    [retry] = outbox.send_due(ignore_wait=True)
    assert retry.ok
    [arrival] = list(files.arrivals(folder))
    assert arrival.path.read_bytes() == flow.path.read_bytes()
    assert arrival.signature == flow.signature
    flow.refresh_from_db()
    assert (flow.state, flow.attempts, flow.last_error) == ("sent", 2, "")


def test_file_delivery_writes_the_flow_and_its_signature(comune: Path) -> None:
    folder = comune / "to-questura"
    partner = Partner.objects.create(
        node_id="TO", name="Q", transport="file", outbox=str(folder), since=date(2026, 11, 1)
    )
    flow = export_flow(partner, Period(date(2026, 11, 1), date(2026, 11, 15)), today=TODAY)
    [attempt] = outbox.send_due()
    assert attempt.ok
    [arrival] = list(files.arrivals(folder))
    assert arrival.path.read_bytes() == flow.path.read_bytes()
    assert arrival.signature == flow.signature
    flow.refresh_from_db()
    assert flow.state == "sent"


def test_the_calendar_names_late_and_due_flows(comune: Path, settings: Any) -> None:
    settings.EXCHANGE_GRACE_DAYS = {"anagrafe": 5, "permessi": 10}
    partner = Partner.objects.create(
        node_id="TO", name="Q", transport="file", since=date(2026, 9, 1)
    )
    # Permit flows for September and October never came: September's is late from
    # 11 October, October's from 11 November; on 10 November only September's is.
    on_10 = {
        e.period: e.state
        for e in status.entries(partner, date(2026, 11, 10))
        if e.direction == "in"
    }
    assert on_10 == {"2026-09-01 – 2026-09-30": "late", "2026-10-01 – 2026-10-31": "due"}
    on_11 = [e.period for e in status.late(partner, date(2026, 11, 11))]
    assert on_11 == ["2026-09-01 – 2026-09-30", "2026-10-01 – 2026-10-31"]
    outgoing = [e.state for e in status.entries(partner, TODAY) if e.direction == "out"]
    assert outgoing == ["missing"] * 5


def test_a_round_exports_and_sends_what_is_due_and_a_second_round_does_nothing(
    comune: Path,
) -> None:
    folder = comune / "to-questura"
    Partner.objects.create(
        node_id="TO", name="Q", transport="file", outbox=str(folder), since=date(2026, 10, 1)
    )
    first = run_round(TODAY)
    assert len(first.exported) == 3 and len(first.sent) == 3 and not first.errors
    assert len(list(files.arrivals(folder))) == 3
    second = run_round(TODAY)
    assert (second.exported, second.sent, second.errors) == ([], [], [])
    # The Questura's October permit flow never came, and by 22 November it is late.
    assert second.late == ["permessi from TO for 2026-10-01 – 2026-10-31 (late from 2026-11-11)"]


def test_two_rounds_never_run_at_once(comune: Path) -> None:
    with exclusive(), pytest.raises(Busy):
        run_round(TODAY)


def test_file_partners_get_a_receipt_for_each_flow_and_for_a_held_one_released_later(
    comune: Path, settings: Any
) -> None:
    from interscambio.core.trust import generate_identity, load_identity
    from interscambio.exchange.importing import file_sha256
    from tests.flows import Questura, month, trust

    inbox, out = comune / "from-questura", comune / "to-questura"
    partner = Partner.objects.create(
        node_id="TO", name="Q", transport="file", inbox=str(inbox), outbox=str(out),
        since=date(2026, 1, 1),
    )  # fmt: skip
    identity = load_identity(*generate_identity("TO", "Questura di Torino"))
    trust(identity)
    folder = comune / "questura"
    folder.mkdir()
    questura = Questura(identity, folder)
    first = questura.flow(sequence=1, period=month(1))
    second = questura.flow(sequence=2, period=month(2), previous_hash=file_sha256(first[0]))
    # The second month arrives first: held. Then the first: both applied, both receipted.
    for path, signature in (second, first):
        files.put_signed(inbox, path.name, path, signature)
        outbox.collect(partner)
    receipts = sorted(p.name for p in out.iterdir() if p.name.endswith(".ricevuta.json"))
    assert len(receipts) == 3  # held, then applied for the first and the second
    assert list(Flow.objects.order_by("sequence").values_list("state", flat=True)) == [
        "applied",
        "applied",
    ]
    # Each flow moved into the node's flow store; what is left is filed under done/.
    assert [p.name for p in inbox.iterdir()] == ["done"]
    assert sorted(p.name for p in (inbox / "done").iterdir()) == [
        first[0].name + ".jws",
        second[0].name + ".jws",
    ]
    stored = [f.path.read_bytes() for f in Flow.objects.order_by("sequence")]
    assert stored == [first[0].read_bytes(), second[0].read_bytes()]
