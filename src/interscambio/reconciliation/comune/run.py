# SPDX-License-Identifier: EUPL-1.2
"""A Comune's reconciliation: the permits of a flow (or of every flow) against the registry.

Attribute each permit to a registry person (attribution.py), keep the links, examine each
person's newest permit (checks.py), record or propose the renewals (renewals.py), flag the
permits of holders domiciled in the city who are not registered and the ambiguous ones, then
run the periodic rules (periodic.py) and store everything (store.py). One transaction: a run
that fails leaves the registry and the discrepancies as they were.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction

from interscambio.core.addresses import Gazetteer
from interscambio.exchange.models import Flow
from interscambio.node.loading import refresh_statistics
from interscambio.reconciliation import kinds
from interscambio.reconciliation.comune import periodic, renewals
from interscambio.reconciliation.comune.attribution import Attribution, Attributions, attribute
from interscambio.reconciliation.comune.checks import examine, person_evidence
from interscambio.reconciliation.comune.sides import Person, ReceivedHolder, people, received
from interscambio.reconciliation.findings import Finding, key_of
from interscambio.reconciliation.models import Discrepancy, Link, Run
from interscambio.reconciliation.store import Stored, in_chunks, store
from interscambio.registry.models import Street


@dataclass
class Work:
    findings: list[Finding] = field(default_factory=list)
    cleared: list[str] = field(default_factory=list)
    renewals: list[renewals.Renewal] = field(default_factory=list)
    renewing: set[str] = field(default_factory=set)
    counts: dict[str, int] = field(default_factory=dict)


def _gazetteer() -> Gazetteer:
    return Gazetteer.from_rows(
        Street.objects.values_list("code", "dug", "name", "civic_min", "civic_max")
    )


def _newest(permits: list[ReceivedHolder]) -> ReceivedHolder:
    return max(permits, key=lambda p: (p.issue_date, p.expiry_date or date.max, p.number))


def _keep_links(run: Run, permits: list[ReceivedHolder], found: dict[str, Attribution]) -> int:
    numbers = [p.number for p in permits if p.number in found]
    existing = {
        link.permit_number: link for link in in_chunks(Link.objects, "permit_number", numbers)
    }
    new, changed = [], []
    for permit in permits:
        attribution = found.get(permit.number)
        if attribution is None:
            continue
        link = existing.get(permit.number)
        if link is None:
            new.append(
                Link(
                    permit_number=permit.number,
                    holder_cui=permit.holder_cui,
                    registry_id=attribution.registry_id,
                    rule=attribution.rule,
                    score=attribution.score,
                    explanation=attribution.explanation,
                    run=run,
                    flow_id=permit.flow_id,
                    record_id=permit.record_id,
                )
            )
        elif link.status == Link.AUTOMATIC and link.registry_id != attribution.registry_id:
            link.registry_id, link.rule, link.score = (
                attribution.registry_id,
                attribution.rule,
                attribution.score,
            )
            link.explanation, link.run = attribution.explanation, run
            changed.append(link)
    Link.objects.bulk_create(new, batch_size=1000)
    Link.objects.bulk_update(changed, ["registry_id", "rule", "score", "explanation", "run"], 1000)
    if new:
        refresh_statistics(Link)
    return len(new) + len(changed)


def _examine_people(
    work: Work,
    permits: list[ReceivedHolder],
    found: Attributions,
    registry: dict[str, Person],
    gazetteer: Gazetteer,
) -> None:
    held: dict[str, list[ReceivedHolder]] = {}
    for permit in permits:
        if permit.number in found.found:
            held.setdefault(found.found[permit.number].registry_id, []).append(permit)
    apply = settings.RECONCILE_RENEWALS == "apply"
    for registry_id, theirs in held.items():
        person, newest = registry[registry_id], _newest(theirs)
        attribution = found.found[newest.number]
        outcome = examine(
            person, newest, attribution, node_id=settings.NODE_ID, gazetteer=gazetteer
        )
        if outcome.renewal is not None:
            sure = attribution.certain or (attribution.score or 0) >= settings.RECONCILE_APPLY_SCORE
            if apply and sure:
                work.renewals.append(renewals.Renewal(person.pk, newest, attribution.rule))
                for finding in outcome.findings:
                    if finding.kind == kinds.RENEWAL:
                        finding.outcome = renewals.RECORDED
        work.renewing.update(f.registry_id for f in outcome.findings if f.kind == kinds.RENEWAL)
        work.findings += outcome.findings
        work.cleared += outcome.cleared
    work.counts["people_examined"] = len(held)


def _unattributed(work: Work, permits: list[ReceivedHolder], found: Attributions) -> None:
    holders: dict[str, list[ReceivedHolder]] = {}
    for permit in permits:
        if permit.number in found.found:
            work.cleared.append(key_of(kinds.NOT_REGISTERED, permit.holder_cui))
            work.cleared.append(key_of(kinds.MANUAL_REVIEW, permit.number))
        elif permit.number not in found.ambiguous:
            holders.setdefault(permit.holder_cui, []).append(permit)
    elsewhere = 0
    for cui, theirs in holders.items():
        newest = _newest(theirs)
        if newest.domicile_comune_code != settings.NODE_ID:
            elsewhere += 1
            continue
        work.findings.append(
            Finding(
                kind=kinds.NOT_REGISTERED,
                subject=cui,
                summary=f"Titolare del permesso {newest.number} domiciliato in "
                f"{newest.domicile_address or newest.domicile_comune}, non iscritto in anagrafe",
                rule="non_collegato",
                permit_number=newest.number,
                holder_cui=cui,
                evidence={"permesso": newest.as_evidence()},
                flow_id=newest.flow_id,
                record_id=newest.record_id,
            )
        )
    work.counts["holders_other_comuni"] = elsewhere
    by_number = {p.number: p for p in permits}
    for number, candidates in found.ambiguous.items():
        permit = by_number[number]
        work.findings.append(
            Finding(
                kind=kinds.MANUAL_REVIEW,
                subject=number,
                summary=f"Il permesso {number} può appartenere a {len(candidates)} residenti",
                rule="candidati_ambigui",
                permit_number=number,
                holder_cui=permit.holder_cui,
                evidence={
                    "permesso": permit.as_evidence(),
                    "candidati": [
                        {
                            "idAnagrafe": c.id_left,
                            "punteggio": c.score,
                            "peso": c.weight,
                            "spiegazione": c.explanation,
                        }
                        for c in candidates
                    ],
                },
                flow_id=permit.flow_id,
                record_id=permit.record_id,
            )
        )


def reconcile_comune(
    run: Run, flow: Flow | None, today: date, say: Callable[[str], None]
) -> tuple[dict[str, int], dict[str, float], Stored]:
    clock, seconds = time.perf_counter(), {}

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        seconds[name] = round(now - clock, 3)
        clock = now

    registry = people()
    permits = list(received(flow))
    say(f"{len(permits):,} permits against {len(registry):,} registry persons")
    lap("read")
    found = attribute(permits, registry, threshold=settings.RECONCILE_LINK_THRESHOLD)
    say(
        f"{len(found.found):,} permits attributed "
        f"({found.counts.get('attributed_deterministically', 0):,} by code or earlier link), "
        f"{len(found.ambiguous):,} ambiguous"
    )
    lap("attribute")
    work, gazetteer = Work(), _gazetteer()
    with transaction.atomic():
        linked = _keep_links(run, permits, found.found)
        _examine_people(work, permits, found, registry, gazetteer)
        _unattributed(work, permits, found)
        lap("examine")
        _periodic(work, registry, today)
        lap("periodic rules")
        recorded = renewals.record(work.renewals, run_id=run.pk, today=today)
        stored = store(run, work.findings, work.cleared)
        lap("store")
    seconds["linkage"] = found.seconds  # type: ignore[assignment]
    counts: dict[str, Any] = {
        "permits": len(permits),
        "registry_persons": len(registry),
        "attributed": len(found.found),
        "ambiguous": len(found.ambiguous),
        "links_written": linked,
        "renewals_recorded": recorded,
        **found.counts,
        **work.counts,
    }
    return counts, seconds, stored


def _periodic(work: Work, registry: dict[str, Person], today: date) -> None:
    grace = settings.RECONCILE_EXPIRED_GRACE_DAYS
    found = periodic.expired(registry.values(), today, grace, periodic.newest_permits())
    proposed = set(
        Discrepancy.objects.filter(kind=kinds.RENEWAL, status__in=kinds.CURRENT).values_list(
            "registry_id", flat=True
        )
    )
    found_too = periodic.cancelled_holders(
        registry, today, settings.NODE_ID, work.renewing | proposed
    )
    for findings, cleared in (found, found_too):
        work.findings += findings
        work.cleared += cleared


__all__ = ["person_evidence", "reconcile_comune"]
