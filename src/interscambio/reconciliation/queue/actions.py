# SPDX-License-Identifier: EUPL-1.2
"""The queue's actions, each in one transaction with its history rows and its access-log
entry, so that a change exists exactly when its entry does.

`act` does one action on one discrepancy; `bulk` the same action on a set, all or none, with
one entry that names every discrepancy changed. The entry holds ids (the discrepancies, the
people they concern, the link) and the action's parameters, never the operator's free text,
which stays in the discrepancy's history (the entry names its rows).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from django.conf import settings
from django.db import transaction

from interscambio.audit import actions as logged
from interscambio.audit import log
from interscambio.reconciliation.actions import ActionError
from interscambio.reconciliation.models import Discrepancy, DiscrepancyChange
from interscambio.reconciliation.queue import steps
from interscambio.reconciliation.queue.steps import Actor

__all__ = ["STEPS", "ActionError", "Actor", "Done", "act", "bulk"]

Step = Callable[..., list[DiscrepancyChange]]
STEPS: Final[dict[str, Step]] = {
    "prendi": steps.take,
    "riapri": steps.reopen,
    "risolvi": steps.resolve,
    "archivia": steps.dismiss,
    "commenta": steps.comment,
    "assegna": steps.assign,
    "verifica_domicilio": steps.open_check,
    "esito_verifica": steps.close_check,
    "conferma_collegamento": steps.confirm_link,
    "respingi_collegamento": steps.reject_link,
    "registra_rinnovo": steps.renewal,
}
# The parameters the log keeps: codes and dates, not free text.
LOGGED_PARAMS: Final = ("outcome", "username", "due", "result")
# A link's state is one per permit: a set would confirm or reject it once per discrepancy.
NOT_IN_BULK: Final = frozenset({"conferma_collegamento", "respingi_collegamento"})


@dataclass(frozen=True)
class Done:
    action: str
    discrepancies: list[int]
    rows: list[DiscrepancyChange]


def _step(action: str) -> Step:
    if action not in STEPS:
        raise ActionError(f"unknown action {action!r} (actions: {', '.join(STEPS)})")
    return STEPS[action]


def _params(params: dict[str, Any]) -> dict[str, Any]:
    kept = {k: v for k, v in params.items() if k in LOGGED_PARAMS}
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in kept.items()}


def _note(actor: Actor, action: str, rows: list[DiscrepancyChange], query: dict[str, Any]) -> None:
    touched = {r.discrepancy_id: r.discrepancy.registry_id for r in rows}
    records = [f"discrepanza:{pk}" for pk in touched]
    people = dict.fromkeys(logged.person(rid) for rid in touched.values() if rid)
    links = {
        f"collegamento:{r.data['collegamento']}" for r in rows if "collegamento" in (r.data or {})
    }
    log.append(
        logged.QUEUE,
        user=actor.username,
        office=actor.office,
        role=actor.role,
        query={"azione": action, **query, "storia": [r.pk for r in rows]},
        records=[*records, *people, *sorted(links)],
    )


def _check_actor(actor: Actor) -> None:
    if not actor.username.strip():
        raise ActionError("an action needs the name of who does it")


def act(discrepancy: Discrepancy, action: str, actor: Actor, **params: Any) -> Done:
    """One action on one discrepancy (ActionError, and nothing changed, if it cannot be)."""
    step = _step(action)
    _check_actor(actor)
    with transaction.atomic():
        # Read again under a lock: two operators on the same discrepancy act one after the other.
        Discrepancy.objects.select_for_update().filter(pk=discrepancy.pk).first()
        discrepancy.refresh_from_db()
        rows = step(discrepancy, actor, **params)
        _note(actor, action, rows, _params(params))
    return Done(action, [discrepancy.pk], rows)


def bulk(ids: Sequence[int], action: str, actor: Actor, **params: Any) -> Done:
    """The same action on every discrepancy of `ids`, all or none: the first that refuses
    undoes the others, and the error names it."""
    step = _step(action)
    _check_actor(actor)
    wanted = sorted(set(ids))
    if action in NOT_IN_BULK:
        raise ActionError(f"{action} is done on one discrepancy at a time")
    if not wanted:
        raise ActionError("the filters select no discrepancy: nothing to do")
    if len(wanted) > settings.QUEUE_BULK_MAX:
        raise ActionError(
            f"the filters select {len(wanted)} discrepancies, more than the "
            f"{settings.QUEUE_BULK_MAX} one action may change: narrow them"
        )
    with transaction.atomic():
        found = list(Discrepancy.objects.select_for_update().filter(pk__in=wanted).order_by("pk"))
        missing = set(wanted) - {d.pk for d in found}
        if missing:
            raise ActionError(f"there is no discrepancy {min(missing)}")
        rows: list[DiscrepancyChange] = []
        for d in found:
            rows += step(d, actor, **params)
        _note(actor, action, rows, {**_params(params), "gruppo": len(found)})
    return Done(action, wanted, rows)
