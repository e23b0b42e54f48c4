# SPDX-License-Identifier: EUPL-1.2
"""Retention: closed flows' files, old receipts and long-resolved discrepancies go; open work,
recent things and archived decisions stay; a dry run deletes nothing."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from interscambio.exchange.models import Flow, Partner
from interscambio.operations import retention
from interscambio.reconciliation import kinds
from interscambio.reconciliation.models import Discrepancy, DiscrepancyChange, Run

NOW = timezone.now()


@pytest.fixture
def node(settings: Any, tmp_path: Path, db: None) -> Partner:
    settings.DATA_DIR = tmp_path / "node"
    return Partner.objects.create(node_id="TO", name="Questura", since=date(2024, 1, 1))


def flow(partner: Partner, n: int, state: str, closed_days_ago: int | None) -> Flow:
    made = Flow.objects.create(
        direction="in" if state in {"applied", "refused", "held"} else "out",
        partner=partner, flow_type="anagrafe", sequence=n, sha256=f"{n:064}", state=state,
        payload=f"out/TO/{n}.flow", receipt='{"esito": "applicato"}' if closed_days_ago else "",
        closed=None if closed_days_ago is None else NOW - timedelta(days=closed_days_ago),
    )  # fmt: skip
    made.path.parent.mkdir(parents=True, exist_ok=True)
    made.path.write_bytes(b"x" * 1000)
    return made


def discrepancy(status: str, closed_days_ago: int | None, n: int) -> Discrepancy:
    run = Run.objects.create(trigger="manual", reference_date=date(2024, 1, 1))
    made = Discrepancy.objects.create(
        kind=kinds.EXPIRED, key=f"k{n}", severity=kinds.HIGH, status=status, summary="s",
        rule="r", run=run,
        closed=None if closed_days_ago is None else NOW - timedelta(days=closed_days_ago),
    )  # fmt: skip
    DiscrepancyChange.objects.create(discrepancy=made, action="aperta", to_status=status, run=run)
    return made


def test_old_closed_flows_lose_their_files_and_nothing_else_does(node: Partner) -> None:
    old = flow(node, 1, "acknowledged", 500)
    old_in = flow(node, 2, "applied", 401)
    recent = flow(node, 3, "acknowledged", 30)
    queued = flow(node, 4, "queued", None)
    held = flow(node, 5, "held", None)
    done = retention.purge(NOW)
    assert (done.flow_files, done.bytes_freed) == (2, 2000)
    for gone in (old, old_in):
        gone.refresh_from_db()
        assert gone.payload_purged is not None and not gone.path.exists()
        assert gone.sha256 and gone.receipt  # what proves the exchange stays
    for kept in (recent, queued, held):
        kept.refresh_from_db()
        assert kept.payload_purged is None and kept.path.exists()
    assert retention.purge(NOW).flow_files == 0  # once is enough


def test_receipts_and_resolved_discrepancies_go_after_their_own_retention(node: Partner) -> None:
    ancient = flow(node, 1, "acknowledged", 2000)
    recent = flow(node, 2, "acknowledged", 1000)
    resolved_long_ago = discrepancy(kinds.RESOLVED, 800, 1)
    resolved_lately = discrepancy(kinds.RESOLVED, 100, 2)
    archived_long_ago = discrepancy(kinds.DISMISSED, 800, 3)
    still_open = discrepancy(kinds.OPEN, None, 4)
    done = retention.purge(NOW)
    assert (done.receipts, done.discrepancies) == (1, 1)
    ancient.refresh_from_db()
    recent.refresh_from_db()
    assert ancient.receipt == "" and recent.receipt
    assert set(Discrepancy.objects.values_list("pk", flat=True)) == {
        resolved_lately.pk, archived_long_ago.pk, still_open.pk,
    }  # fmt: skip
    assert not DiscrepancyChange.objects.filter(discrepancy_id=resolved_long_ago.pk).exists()


def test_a_dry_run_counts_and_deletes_nothing(node: Partner) -> None:
    old = flow(node, 1, "acknowledged", 2000)
    discrepancy(kinds.RESOLVED, 800, 1)
    done = retention.purge(NOW, dry_run=True)
    assert (done.flow_files, done.receipts, done.discrepancies) == (1, 1, 1)
    old.refresh_from_db()
    assert old.path.exists() and old.payload_purged is None and old.receipt
    assert Discrepancy.objects.count() == 1


def test_retention_follows_the_settings(node: Partner, settings: Any) -> None:
    settings.RETAIN_FLOW_FILES_DAYS = 10
    recent = flow(node, 1, "acknowledged", 30)
    assert retention.purge(NOW).flow_files == 1
    recent.refresh_from_db()
    assert recent.payload_purged is not None


def test_a_purged_flow_says_so_instead_of_failing(node: Partner, tmp_path: Path) -> None:
    old = flow(node, 1, "acknowledged", 500)
    call_command("purge")
    with pytest.raises(CommandError, match=r"deleted on .* by the retention"):
        call_command("flow", "csv", str(old.pk), "--out", str(tmp_path / "out.csv"))
