# SPDX-License-Identifier: EUPL-1.2
"""A Questura's reconciliation: the registry events of a flow against its permit holders.

Each person of the flow is attributed to a holder (an earlier link, the title number the
registry holds, or the linkage core); then the events that concern the Questura become
findings: the cancellation of a person holding a current permit, the change of address of a
holder whose declared domicile is elsewhere, the registration of a non-EU citizen the
Questura does not know.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction

from interscambio.core.addresses import address_key
from interscambio.core.codes import CANCELLATION_REASONS, EU_MEMBER_STATES, REGISTRATION_REASONS
from interscambio.exchange.models import Flow
from interscambio.node.loading import refresh_statistics
from interscambio.reconciliation import kinds
from interscambio.reconciliation.findings import Finding, key_of
from interscambio.reconciliation.linking import decide
from interscambio.reconciliation.models import Link, Run
from interscambio.reconciliation.questura.sides import (
    Holder,
    Reported,
    holder_row,
    holders,
    person_row,
    reported,
)
from interscambio.reconciliation.store import Stored, store

NOT_RENEWED = "7"


def _attribute(
    people: dict[str, Reported], known: dict[str, Holder]
) -> tuple[dict[str, tuple[str, str, float | None]], int]:
    """registry id -> (CUI, rule, score); and how many were ambiguous."""
    found: dict[str, tuple[str, str, float | None]] = {}
    linked = dict(
        Link.objects.exclude(status=Link.REJECTED).values_list("registry_id", "holder_cui")
    )
    by_number = {h.number: h.cui for h in known.values()}
    rest = []
    for registry_id, person in people.items():
        if linked.get(registry_id) in known:
            found[registry_id] = (linked[registry_id], "collegamento", None)
        elif person.title_number in by_number:
            found[registry_id] = (by_number[person.title_number], "numero_titolo", None)
        else:
            rest.append(person)
    decision = decide(
        (holder_row(h) for h in known.values()),
        (person_row(p) for p in rest),
        role="questura",
        threshold=settings.RECONCILE_LINK_THRESHOLD,
    )
    for registry_id, match in decision.matches.items():
        found[registry_id] = (match.id_left, "linkage", match.score)
    return found, len(decision.ambiguous)


def _keep_links(
    run: Run, found: dict[str, tuple[str, str, float | None]], known: dict[str, Holder]
) -> int:
    existing = set(Link.objects.values_list("permit_number", flat=True))
    new = [
        Link(
            permit_number=known[cui].number,
            holder_cui=cui,
            registry_id=registry_id,
            rule=rule,
            score=score,
            run=run,
        )
        for registry_id, (cui, rule, score) in found.items()
        if known[cui].number not in existing
    ]
    Link.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    if new:
        refresh_statistics(Link)
    return len(new)


def _finding(
    kind: str, subject: str, summary: str, rule: str, event: Reported, holder: Holder | None
) -> Finding:
    evidence: dict[str, Any] = {"anagrafe": event.as_evidence()}
    if holder is not None:
        evidence["permesso"] = holder.as_evidence()
    return Finding(
        kind=kind,
        subject=subject,
        summary=summary,
        rule=rule,
        registry_id=event.registry_id,
        permit_number=holder.number if holder else "",
        holder_cui=holder.cui if holder else "",
        evidence=evidence,
        flow_id=event.flow_id,
        record_id=event.record_id,
    )


def _examine(
    events: list[Reported],
    found: dict[str, tuple[str, str, float | None]],
    known: dict[str, Holder],
) -> tuple[list[Finding], list[str]]:
    findings, cleared = [], []
    for event in events:
        attributed = found.get(event.registry_id)
        holder = known[attributed[0]] if attributed else None
        subject = f"{event.registry_id}:{event.date.isoformat()}"
        if event.kind == "cancellazione" and holder is not None and holder.current_on(event.date):
            reason = CANCELLATION_REASONS.get(event.reason_code, event.reason_code)
            finding = _finding(
                kinds.HOLDER_CANCELLED,
                subject,
                f"Cancellato dall'anagrafe il {event.date:%d/%m/%Y} ({reason.lower()}), titolare "
                f"del permesso {holder.number}",
                "cancellazione_titolare",
                event,
                holder,
            )
            if event.reason_code == NOT_RENEWED:
                finding.severity = kinds.HIGH  # a permit the Questura holds may prove it wrong
            findings.append(finding)
        elif event.kind == "variazione" and event.reason_code == "indirizzo" and holder is not None:
            if address_key(event.address) != address_key(holder.domicile_address):
                findings.append(
                    _finding(
                        kinds.HOLDER_MOVED,
                        subject,
                        f"Nuovo indirizzo in anagrafe «{event.address}»; domicilio in Questura "
                        f"«{holder.domicile_address}»",
                        "cambio_indirizzo",
                        event,
                        holder,
                    )
                )
            else:
                cleared.append(key_of(kinds.HOLDER_MOVED, subject))
        elif event.kind == "iscrizione":
            foreign = not any(c in EU_MEMBER_STATES for c in event.countries)
            subject = event.registry_id
            if foreign and holder is None:
                reason = REGISTRATION_REASONS.get(event.reason_code, event.reason_code)
                findings.append(
                    _finding(
                        kinds.UNKNOWN_FOREIGNER,
                        subject,
                        f"Iscritto il {event.date:%d/%m/%Y} ({reason.lower()}), cittadinanza "
                        f"{', '.join(event.countries)}: nessun permesso noto",
                        "iscritto_sconosciuto",
                        event,
                        None,
                    )
                )
            else:
                cleared.append(key_of(kinds.UNKNOWN_FOREIGNER, subject))
    return findings, cleared


def reconcile_questura(
    run: Run, flow: Flow | None, today: date, say: Callable[[str], None]
) -> tuple[dict[str, Any], dict[str, Any], Stored]:
    started = time.perf_counter()
    events = list(reported(flow))
    people = {e.registry_id: e for e in events}  # each person as their latest event
    known = holders()
    say(f"{len(events):,} registry events of {len(people):,} people against {len(known):,} holders")
    found, ambiguous = _attribute(people, known)
    say(f"{len(found):,} people attributed to a permit holder, {ambiguous:,} ambiguous")
    attributed = time.perf_counter()
    findings, cleared = _examine(events, found, known)
    with transaction.atomic():
        linked = _keep_links(run, found, known)
        stored = store(run, findings, cleared)
    counts = {
        "registry_events": len(events),
        "people": len(people),
        "holders": len(known),
        "attributed": len(found),
        "ambiguous": ambiguous,
        "links_written": linked,
    }
    seconds = {
        "attribute": round(attributed - started, 3),
        "examine and store": round(time.perf_counter() - attributed, 3),
    }
    del today  # the Questura's rules look at each event's own date
    return counts, seconds, stored
