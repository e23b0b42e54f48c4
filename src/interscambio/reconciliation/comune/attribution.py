# SPDX-License-Identifier: EUPL-1.2
"""Which registry person each received permit belongs to.

Deterministic passes first, each naming its rule: the link made before (an operator's
confirmation included), another permit of the same holder (the Questura's CUI) already
linked, the permit or the one it renews being the title the registry holds. What is left goes
to the linkage core; an operator's rejected link is never proposed again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from interscambio.reconciliation.comune.sides import (
    Person,
    ReceivedHolder,
    linkage_row,
    permit_linkage_row,
)
from interscambio.reconciliation.linking import Candidate, decide
from interscambio.reconciliation.models import Link
from interscambio.reconciliation.store import in_chunks

PREVIOUS_LINK, SAME_HOLDER, TITLE_NUMBER, LINKAGE = (
    "collegamento",
    "cui",
    "numero_titolo",
    "linkage",
)
DETERMINISTIC = frozenset({PREVIOUS_LINK, SAME_HOLDER, TITLE_NUMBER})


@dataclass(frozen=True)
class Attribution:
    registry_id: str
    rule: str
    score: float | None = None
    explanation: dict[str, Any] | None = None

    @property
    def certain(self) -> bool:
        return self.rule in DETERMINISTIC


@dataclass
class Attributions:
    found: dict[str, Attribution] = field(default_factory=dict)  # by permit number
    ambiguous: dict[str, list[Candidate]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def _previous_links(numbers: list[str]) -> dict[str, tuple[str, str]]:
    return {
        link.permit_number: (link.registry_id, link.status)
        for link in in_chunks(
            Link.objects.only("permit_number", "registry_id", "status"), "permit_number", numbers
        )
    }


def attribute(
    permits: list[ReceivedHolder], people: dict[str, Person], *, threshold: float
) -> Attributions:
    result = Attributions()
    links = _previous_links([p.number for p in permits])
    rejected = frozenset(
        (registry_id, number)
        for number, (registry_id, status) in links.items()
        if status == Link.REJECTED
    )
    by_cui = dict(
        Link.objects.exclude(status=Link.REJECTED).values_list("holder_cui", "registry_id")
    )
    by_title = {p.title_number: p.registry_id for p in people.values() if p.title_number}
    rest: list[ReceivedHolder] = []
    for permit in permits:
        previous = links.get(permit.number)
        if previous is not None and previous[1] != Link.REJECTED and previous[0] in people:
            result.found[permit.number] = Attribution(previous[0], PREVIOUS_LINK)
        elif by_cui.get(permit.holder_cui) in people:
            result.found[permit.number] = Attribution(by_cui[permit.holder_cui], SAME_HOLDER)
        elif permit.number in by_title or permit.previous_number in by_title:
            registry_id = by_title.get(permit.number) or by_title[permit.previous_number]
            result.found[permit.number] = Attribution(registry_id, TITLE_NUMBER)
        else:
            rest.append(permit)
    # The holder of a permit attributed above holds the others of the same CUI in this run.
    settled = {p.holder_cui: result.found[p.number] for p in permits if p.number in result.found}
    unsettled = []
    for permit in rest:
        known = settled.get(permit.holder_cui)
        if known is not None:
            result.found[permit.number] = Attribution(known.registry_id, SAME_HOLDER)
        else:
            unsettled.append(permit)
    result.counts["attributed_deterministically"] = len(result.found)
    decision = decide(
        (linkage_row(p) for p in people.values()),
        (permit_linkage_row(p) for p in unsettled),
        role="comune",
        threshold=threshold,
        excluded=rejected,
    )
    # One holder, one person: all of a CUI's permits go to its best-scored attribution.
    best: dict[str, Candidate] = {}
    for permit in unsettled:
        match = decision.matches.get(permit.number)
        held = best.get(permit.holder_cui)
        if match is not None and (held is None or match.weight > held.weight):
            best[permit.holder_cui] = match
    for permit in unsettled:
        match = best.get(permit.holder_cui)
        if match is not None and permit.number not in decision.ambiguous:
            result.found[permit.number] = Attribution(
                match.id_left, LINKAGE, match.score, match.explanation
            )
    result.ambiguous = {n: c for n, c in decision.ambiguous.items() if n not in result.found}
    result.counts.update(decision.counts)
    result.counts["attributed_by_linkage"] = (
        len(result.found) - result.counts["attributed_deterministically"]
    )
    result.counts["ambiguous"] = len(result.ambiguous)
    result.seconds.update(decision.seconds)
    return result
