# SPDX-License-Identifier: EUPL-1.2
"""What a person does with a discrepancy: take it up, resolve it, dismiss it, reopen it, and
for a proposed renewal, record it in the registry.

Every action is a row of the discrepancy's history with who did it and why; none deletes
anything, and a later action can undo an earlier one (a dismissed discrepancy reopened).
"""

from __future__ import annotations

from datetime import date
from typing import Final

from django.db import transaction
from django.utils import timezone

from interscambio.exchange.models import ReceivedPermit
from interscambio.exchange.received import PERMIT_FIELDS
from interscambio.reconciliation import kinds
from interscambio.reconciliation.comune import renewals
from interscambio.reconciliation.comune.sides import ReceivedHolder
from interscambio.reconciliation.models import Discrepancy, DiscrepancyChange
from interscambio.registry.models import Resident

# The states an action may lead to from each state.
ALLOWED: Final = {
    kinds.OPEN: {kinds.IN_REVIEW, kinds.RESOLVED, kinds.DISMISSED},
    kinds.IN_REVIEW: {kinds.OPEN, kinds.RESOLVED, kinds.DISMISSED},
    kinds.RESOLVED: {kinds.OPEN},
    kinds.DISMISSED: {kinds.OPEN},
}
ACTIONS: Final = {
    kinds.IN_REVIEW: "presa_in_carico",
    kinds.RESOLVED: "risolta",
    kinds.DISMISSED: "archiviata",
    kinds.OPEN: "riaperta",
}


class ActionError(Exception):
    """The action cannot be done on this discrepancy; the message says why."""


def change(discrepancy: Discrepancy, to_status: str, *, actor: str, note: str = "") -> None:
    """Move `discrepancy` to `to_status`, recording who and why."""
    if not actor.strip():
        raise ActionError("an action needs the name of who does it")
    if to_status not in ALLOWED.get(discrepancy.status, set()):
        raise ActionError(
            f"discrepancy {discrepancy.pk} is {discrepancy.status}: it cannot become {to_status}"
        )
    if to_status in {kinds.RESOLVED, kinds.DISMISSED} and not note.strip():
        raise ActionError(f"to mark it {to_status}, say why (the outcome or the reason)")
    if to_status == kinds.OPEN and Discrepancy.objects.filter(
        key=discrepancy.key, status__in=kinds.CURRENT
    ).exclude(pk=discrepancy.pk):
        raise ActionError(f"another discrepancy about {discrepancy.key} is already open")
    now = timezone.now()
    DiscrepancyChange.objects.create(
        discrepancy=discrepancy,
        actor=actor,
        action=ACTIONS[to_status],
        from_status=discrepancy.status,
        to_status=to_status,
        note=note,
    )
    closing = to_status in {kinds.RESOLVED, kinds.DISMISSED}
    discrepancy.status = to_status
    discrepancy.outcome = note if closing else ""
    discrepancy.closed = now if closing else None
    discrepancy.save(update_fields=["status", "outcome", "closed", "updated"])


def record_renewal(discrepancy: Discrepancy, *, actor: str, today: date | None = None) -> None:
    """Record a proposed renewal in the registry, then resolve the discrepancy."""
    if discrepancy.kind != kinds.RENEWAL or discrepancy.status not in kinds.CURRENT:
        raise ActionError(f"discrepancy {discrepancy.pk} is not a renewal waiting to be recorded")
    resident = Resident.objects.filter(registry_id=discrepancy.registry_id).first()
    if resident is None or resident.status != "residente":
        raise ActionError(
            f"{discrepancy.registry_id} is not a current resident: a cancelled person's "
            "registration is restored by the registry's own procedure, not here"
        )
    row = (
        ReceivedPermit.objects.filter(number=discrepancy.permit_number)
        .order_by("-flow_id", "-line")
        .values_list(*PERMIT_FIELDS)
        .first()
    )
    if row is None:
        raise ActionError(f"permit {discrepancy.permit_number} was never received")
    with transaction.atomic():
        renewals.record(
            [renewals.Renewal(resident.pk, ReceivedHolder(*row), f"operatore:{actor}")],
            run_id=discrepancy.run_id,
            today=today or timezone.localdate(),
            event_prefix=f"OP{discrepancy.pk}",
        )
        change(discrepancy, kinds.RESOLVED, actor=actor, note=renewals.RECORDED)
