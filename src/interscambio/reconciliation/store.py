# SPDX-License-Identifier: EUPL-1.2
"""Storing findings as discrepancies, idempotently, with the history of every change.

A finding whose key has a current discrepancy (open or in review) updates it when the evidence
changed and does nothing otherwise; one whose key was closed with the very same evidence (an
operator dismissed it, or it was resolved and nothing new came) is not opened again. A key a
rule examined and found clear has its current discrepancy resolved as no longer found. A
finding the rule already acted on (a renewal recorded) is stored resolved, with its outcome.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from django.db.models import QuerySet
from django.utils import timezone

from interscambio.reconciliation import kinds
from interscambio.reconciliation.findings import Finding
from interscambio.reconciliation.models import Discrepancy, DiscrepancyChange, Run

ACTOR: Final = "riconciliazione"
NO_LONGER_FOUND: Final = "non più riscontrata"
VOLATILE: Final = frozenset({"collegamento"})
# What the comparison with earlier discrepancies needs; the evidence is not read back.
LIGHT: Final = ("pk", "key", "status", "fingerprint", "opened", "run")
CHUNK: Final = 900  # under SQLite's limit on query parameters


@dataclass
class Stored:
    opened: int = 0
    updated: int = 0
    unchanged: int = 0
    acted: int = 0
    closed: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


def fingerprint(evidence: dict[str, Any]) -> str:
    """What the two offices' records said; how the link was found on this run is left out."""
    substance = {k: v for k, v in evidence.items() if k not in VOLATILE}
    text = json.dumps(substance, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _chunks(keys: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(keys), CHUNK):
        yield keys[start : start + CHUNK]


def in_chunks(queryset: QuerySet[Any], field: str, values: Iterable[str]) -> Iterable[Any]:
    """`queryset.filter(field__in=values)`, a few hundred values per query (SQLite's limit)."""
    for chunk in _chunks(list(values)):
        yield from queryset.filter(**{f"{field}__in": chunk})


def _by_key(queryset: QuerySet[Discrepancy], keys: list[str]) -> dict[str, Discrepancy]:
    found: dict[str, Discrepancy] = {}
    for chunk in _chunks(keys):
        for d in queryset.filter(key__in=chunk).order_by("opened", "pk").only(*LIGHT):
            found[d.key] = d  # the latest wins
    return found


def _new(finding: Finding, run: Run, now: Any) -> Discrepancy:
    acted = bool(finding.outcome)
    return Discrepancy(
        kind=finding.kind,
        key=finding.key,
        severity=finding.severity,
        status=kinds.RESOLVED if acted else kinds.OPEN,
        registry_id=finding.registry_id,
        permit_number=finding.permit_number,
        holder_cui=finding.holder_cui,
        summary=finding.summary[:300],
        evidence=finding.evidence,
        fingerprint=fingerprint(finding.evidence),
        rule=finding.rule,
        flow_id=finding.flow_id,
        record_id=finding.record_id,
        run=run,
        outcome=finding.outcome,
        due_date=finding.due_date,
        closed=now if acted else None,
    )


def store(run: Run, findings: list[Finding], cleared: Iterable[str] = ()) -> Stored:
    """Write `findings`; close the current discrepancies of the `cleared` keys."""
    now, result = timezone.now(), Stored()
    by_key = {f.key: f for f in findings}
    keys = list(by_key)
    current = _by_key(Discrepancy.objects.filter(status__in=kinds.CURRENT), keys)
    closed = _by_key(Discrepancy.objects.exclude(status__in=kinds.CURRENT), keys)
    created: list[Discrepancy] = []
    changes: list[DiscrepancyChange] = []
    revised: list[Discrepancy] = []
    resolved: list[Discrepancy] = []
    for key, finding in by_key.items():
        result.by_kind[finding.kind] = result.by_kind.get(finding.kind, 0) + 1
        mark = fingerprint(finding.evidence)
        existing = current.get(key)
        if existing is not None:
            if finding.outcome:
                _close(existing, kinds.RESOLVED, finding.outcome, now, run, changes, "risolta")
                resolved.append(existing)
                result.acted += 1
            elif existing.fingerprint != mark:
                existing.evidence, existing.fingerprint = finding.evidence, mark
                existing.summary, existing.run, existing.updated = finding.summary[:300], run, now
                changes.append(_change(existing, "aggiornata", existing.status, run))
                revised.append(existing)
                result.updated += 1
            else:
                result.unchanged += 1
            continue
        before = closed.get(key)
        if before is not None and before.fingerprint == mark:
            result.unchanged += 1
            continue
        created.append(_new(finding, run, now))
        result.acted += bool(finding.outcome)
        result.opened += not finding.outcome
    Discrepancy.objects.bulk_create(created, batch_size=1000)
    for d in created:
        changes.append(_change(d, "aperta", kinds.OPEN, run, from_status=""))
        if d.status == kinds.RESOLVED:
            changes.append(
                _change(d, "risolta", kinds.RESOLVED, run, from_status=kinds.OPEN, note=d.outcome)
            )
    Discrepancy.objects.bulk_update(
        revised, ["evidence", "fingerprint", "summary", "run", "updated"], 1000
    )
    Discrepancy.objects.bulk_update(
        resolved, ["status", "outcome", "closed", "run", "updated"], 1000
    )
    result.closed = _close_stale(run, cleared, set(keys), now, changes)
    DiscrepancyChange.objects.bulk_create(changes, batch_size=1000)
    return result


def _close_stale(
    run: Run, cleared: Iterable[str], found: set[str], now: Any, changes: list[DiscrepancyChange]
) -> int:
    """Resolve, set-wise, the current discrepancies whose keys were examined and found clear."""
    # A rule clears many keys (every resident without an expired permit); few are current.
    current = dict(
        Discrepancy.objects.filter(status__in=kinds.CURRENT).values_list("key", "status")
    )
    stale = sorted((current.keys() & set(cleared)) - found)
    closed = 0
    for chunk in _chunks(stale):
        rows = Discrepancy.objects.filter(status__in=kinds.CURRENT, key__in=chunk)
        for pk, status in rows.values_list("pk", "status"):
            changes.append(
                DiscrepancyChange(
                    discrepancy_id=pk,
                    actor=ACTOR,
                    action="risolta",
                    from_status=status,
                    to_status=kinds.RESOLVED,
                    note=NO_LONGER_FOUND,
                    run=run,
                )
            )
        closed += rows.update(
            status=kinds.RESOLVED, outcome=NO_LONGER_FOUND, closed=now, run=run, updated=now
        )
    return closed


def _change(
    d: Discrepancy,
    action: str,
    to_status: str,
    run: Run,
    *,
    from_status: str | None = None,
    note: str = "",
) -> DiscrepancyChange:
    return DiscrepancyChange(
        discrepancy=d,
        actor=ACTOR,
        action=action,
        from_status=d.status if from_status is None else from_status,
        to_status=to_status,
        note=note,
        run=run,
    )


def _close(
    d: Discrepancy,
    status: str,
    outcome: str,
    now: Any,
    run: Run,
    changes: list[DiscrepancyChange],
    action: str,
) -> None:
    changes.append(_change(d, action, status, run, note=outcome))
    d.status, d.outcome, d.closed, d.run, d.updated = status, outcome, now, run, now
