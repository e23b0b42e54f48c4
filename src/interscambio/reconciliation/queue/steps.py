# SPDX-License-Identifier: EUPL-1.2
"""One step of an operator on one discrepancy: checked, applied, written in its history.

A step changes the discrepancy (or its link) and returns the history rows it wrote; it writes
nothing to the access log and opens no transaction: `actions` does both, once for one
discrepancy and once for a whole bulk set, so that a set changes all or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from django.contrib.auth import get_user_model
from django.utils import timezone

from interscambio.access.models import Authorization
from interscambio.access.roles import QUESTURA_OPERATOR, REGISTRY_ADMIN, REGISTRY_OPERATOR
from interscambio.reconciliation import actions as lifecycle
from interscambio.reconciliation import kinds
from interscambio.reconciliation.actions import ALLOWED, ActionError
from interscambio.reconciliation.models import Discrepancy, DiscrepancyChange, Link
from interscambio.reconciliation.queue.outcomes import CHECK_RESULTS, outcomes

# The roles that work the queue, and so may be assigned a discrepancy.
WORKING: Final = frozenset({REGISTRY_ADMIN, REGISTRY_OPERATOR, QUESTURA_OPERATOR})

# The history's names for the steps that change no state, and for the link's.
COMMENT, ASSIGNED = "commento", "assegnata"
CHECK_OPENED, CHECK_CLOSED = "verifica_domicilio", "esito_verifica_domicilio"
LINK_CONFIRMED, LINK_REJECTED = "collegamento_confermato", "collegamento_respinto"


@dataclass(frozen=True)
class Actor:
    """Who acts: the user name, and the office and role they act for (the log's fields);
    `office_id` limits whom they may assign a discrepancy to (None: any office)."""

    username: str
    office: str = ""
    role: str = ""
    office_id: int | None = None


def _row(
    d: Discrepancy,
    actor: Actor,
    action: str,
    note: str = "",
    data: dict[str, Any] | None = None,
    to_status: str | None = None,
) -> DiscrepancyChange:
    return DiscrepancyChange.objects.create(
        discrepancy=d,
        actor=actor.username,
        action=action,
        from_status=d.status,
        to_status=to_status or d.status,
        note=note,
        data=data,
    )


def _needs_text(d: Discrepancy, field: str, value: str) -> str:
    if not value.strip():
        raise ActionError(f"discrepancy {d.pk}: {field} is required")
    return value.strip()


def _move(
    d: Discrepancy,
    actor: Actor,
    to_status: str,
    *,
    note: str = "",
    outcome: str = "",
    data: dict[str, Any] | None = None,
) -> DiscrepancyChange:
    """The state change with the lifecycle's rules (reconciliation/actions.py `ALLOWED`)."""
    if to_status not in ALLOWED.get(d.status, set()):
        raise ActionError(f"discrepancy {d.pk} is {d.status}: it cannot become {to_status}")
    if to_status == kinds.OPEN and Discrepancy.objects.filter(
        key=d.key, status__in=kinds.CURRENT
    ).exclude(pk=d.pk):
        raise ActionError(f"discrepancy {d.pk}: another one about {d.key} is already open")
    row = _row(d, actor, lifecycle.ACTIONS[to_status], note, data, to_status)
    closing = to_status in {kinds.RESOLVED, kinds.DISMISSED}
    d.status = to_status
    d.outcome = outcome if closing else ""
    d.closed = timezone.now() if closing else None
    d.save(update_fields=["status", "outcome", "closed", "updated"])
    return row


def take(d: Discrepancy, actor: Actor, note: str = "") -> list[DiscrepancyChange]:
    """In review; assigned to whoever takes it when no one has it."""
    me = None
    if d.assigned_to_id is None:
        me = get_user_model().objects.filter(username=actor.username).first()
    data = {"assegnata_a": actor.username} if me is not None else None
    row = _move(d, actor, kinds.IN_REVIEW, note=note, data=data)  # refused before any change
    if me is not None:
        d.assigned_to = me
        d.save(update_fields=["assigned_to", "updated"])
    return [row]


def reopen(d: Discrepancy, actor: Actor, note: str = "") -> list[DiscrepancyChange]:
    return [_move(d, actor, kinds.OPEN, note=note)]


def resolve(d: Discrepancy, actor: Actor, outcome: str, note: str = "") -> list[DiscrepancyChange]:
    known = outcomes()
    if outcome not in known:
        raise ActionError(
            f"discrepancy {d.pk}: outcome {outcome!r} is not one of the configured outcomes "
            f"({', '.join(known)})"
        )
    data = {"esito": outcome}
    return [_move(d, actor, kinds.RESOLVED, note=note, outcome=known[outcome], data=data)]


def dismiss(d: Discrepancy, actor: Actor, reason: str) -> list[DiscrepancyChange]:
    reason = _needs_text(d, "the reason (motivo)", reason)
    return [_move(d, actor, kinds.DISMISSED, note=reason, outcome=reason)]


def comment(d: Discrepancy, actor: Actor, text: str) -> list[DiscrepancyChange]:
    return [_row(d, actor, COMMENT, _needs_text(d, "the comment (commento)", text))]


def assignable(office_id: int | None) -> list[str]:
    """The user names of those who work the queue today, for `office_id` (any if None).
    None of the working roles rests on the agreement (access/roles.py), so an authorization in
    force is enough; one query, as the pages ask on every view."""
    today = timezone.localdate()
    held = Authorization.objects.filter(
        role__in=WORKING,
        revoked_at__isnull=True,
        valid_from__lte=today,
        expires__gte=today,
        user__is_active=True,
    )
    if office_id is not None:
        held = held.filter(office_id=office_id)
    return sorted(set(held.values_list("user__username", flat=True)))


def assign(d: Discrepancy, actor: Actor, username: str) -> list[DiscrepancyChange]:
    """To a user who works the queue for the actor's office; an empty name unassigns."""
    username = username.strip()
    before = d.assigned_to.get_username() if d.assigned_to is not None else ""
    if username == before:
        raise ActionError(
            f"discrepancy {d.pk} is already assigned to {username}"
            if username
            else f"discrepancy {d.pk} is assigned to no one already"
        )
    if username and username not in assignable(actor.office_id):
        raise ActionError(
            f"discrepancy {d.pk}: assigned_to {username!r} does not work the queue "
            "for this office today"
        )
    d.assigned_to = get_user_model().objects.get(username=username) if username else None
    d.save(update_fields=["assigned_to", "updated"])
    return [_row(d, actor, ASSIGNED, data={"assegnata_a": username, "prima": before})]


def open_check(
    d: Discrepancy, actor: Actor, due: date | None, note: str = "", today: date | None = None
) -> list[DiscrepancyChange]:
    """A domicile check asked for (to the local police, say), due by `due`; an open
    discrepancy goes in review meanwhile."""
    if due is None:
        raise ActionError(f"discrepancy {d.pk}: the check's due date (entro) is required")
    if d.status not in kinds.CURRENT:
        raise ActionError(f"discrepancy {d.pk} is {d.status}: reopen it to ask for a check")
    if d.check_due is not None:
        raise ActionError(f"discrepancy {d.pk}: a domicile check due {d.check_due} is open")
    if due < (today or timezone.localdate()):
        raise ActionError(f"discrepancy {d.pk}: the check's due date {due} is in the past")
    rows = []
    if d.status == kinds.OPEN:
        rows.append(_move(d, actor, kinds.IN_REVIEW))
    d.check_due = due
    d.save(update_fields=["check_due", "updated"])
    rows.append(_row(d, actor, CHECK_OPENED, note, {"entro": due.isoformat()}))
    return rows


def close_check(
    d: Discrepancy, actor: Actor, result: str, note: str = ""
) -> list[DiscrepancyChange]:
    """The check's answer; the discrepancy stays as it is, to be resolved in view of it."""
    if d.check_due is None:
        raise ActionError(f"discrepancy {d.pk}: no domicile check is open")
    if result not in CHECK_RESULTS:
        raise ActionError(
            f"discrepancy {d.pk}: check result {result!r} is not one of {', '.join(CHECK_RESULTS)}"
        )
    data = {"esito": result, "entro": d.check_due.isoformat()}
    d.check_due = None
    d.save(update_fields=["check_due", "updated"])
    return [_row(d, actor, CHECK_CLOSED, note, data)]


def link_of(d: Discrepancy) -> Link | None:
    return Link.objects.filter(permit_number=d.permit_number).first() if d.permit_number else None


def _set_link(d: Discrepancy, actor: Actor, status: str, note: str) -> list[DiscrepancyChange]:
    link = link_of(d)
    if link is None:
        raise ActionError(f"discrepancy {d.pk}: permit {d.permit_number or '-'} has no link")
    if link.status == status:
        raise ActionError(f"discrepancy {d.pk}: the link of {link.permit_number} is {status}")
    data = {
        "collegamento": link.pk,
        "da": link.status,
        "a": status,
        "id_anagrafe": link.registry_id,
    }
    link.status = status
    link.save(update_fields=["status", "updated"])
    action = LINK_CONFIRMED if status == Link.CONFIRMED else LINK_REJECTED
    # Every discrepancy on that permit, this one first: each history tells of the link.
    concerned = [d, *Discrepancy.objects.filter(permit_number=d.permit_number).exclude(pk=d.pk)]
    return [_row(c, actor, action, note, data) for c in concerned]


def confirm_link(d: Discrepancy, actor: Actor, note: str = "") -> list[DiscrepancyChange]:
    """The proposed attribution of the permit to the person is right (again, if rejected)."""
    return _set_link(d, actor, Link.CONFIRMED, note)


def reject_link(d: Discrepancy, actor: Actor, note: str) -> list[DiscrepancyChange]:
    """The permit is not this person's: reconciliation will not propose the pair again
    (until the link is confirmed by a later action)."""
    return _set_link(d, actor, Link.REJECTED, _needs_text(d, "the reason (motivo)", note))


def renewal(d: Discrepancy, actor: Actor) -> list[DiscrepancyChange]:
    """The proposed renewal recorded in the registry (reconciliation/actions.py), which
    resolves the discrepancy; refused on a link an operator rejected."""
    link = link_of(d)
    if link is not None and link.status == Link.REJECTED:
        raise ActionError(f"discrepancy {d.pk}: the link of {d.permit_number} was rejected")
    before = d.history.count()
    lifecycle.record_renewal(d, actor=actor.username)
    return list(d.history.all()[before:])
