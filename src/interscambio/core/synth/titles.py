# SPDX-License-Identifier: EUPL-1.2
"""What the registry knows of each resident's stay title, and when it learned it.

A renewal reaches the registry only if the holder declares it. When the title the registry
holds has long expired, the registry may cancel the person for not renewing (ANPR table 15,
reason 7) even though the Questura renewed the permit: the case this product exists for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

from interscambio.core.synth.context import Context
from interscambio.core.synth.life import Event, Family
from interscambio.core.synth.people import YEAR, Permit, Person

CANCEL_FOR_NO_RENEWAL: Final = 0.35  # of those whose registered title expired long ago
GRACE_DAYS: Final = 183


@dataclass(frozen=True)
class Title:
    kind: str = ""
    number: str = ""
    issued: int | None = None
    expires: int | None = None
    renewed: int | None = None  # when the registry recorded a renewal
    requested: int | None = None  # application date of a first permit still being processed
    dwelling: int | None = None  # last declaration of habitual dwelling


def _from_permit(permit: Permit, declared: int | None, renewal: bool) -> Title:
    return Title(
        kind="2" if permit.kind == "UELP" else "1",
        number=permit.number,
        issued=permit.issued,
        expires=permit.expires,
        renewed=declared if renewal else None,
        dwelling=declared,
    )


def _initial(ctx: Context, person: Person, chain: list[Permit]) -> tuple[Title, int]:
    """The title the registry holds when the window opens, or at registration; and from which
    permit of the chain on the registry still has to learn of renewals."""
    rng, start = ctx.rng, ctx.start
    first = chain[0]
    if person.registered > start and person.registration_reason == "4":
        return Title(kind="5", requested=first.applied, dwelling=person.registered), 0
    if person.registered > start and person.registration_reason == "1":
        return Title(), 0
    if first.previous and ctx.tally.chance(rng, "undeclared_renewal", ctx.noise.undeclared_renewal):
        issued = (first.issued or start) - int(rng.uniform(1, 2) * YEAR)
        expires = (first.issued or start) - rng.randint(0, 60)
        ghost = Title(
            kind="1",
            number=first.previous,
            issued=issued,
            expires=expires,
            dwelling=issued + rng.randint(10, 60),
        )
        return ghost, 1
    declared = min(start, (first.delivered or first.issued or start) + rng.randint(0, 30))
    return _from_permit(first, max(declared, person.registered), bool(first.previous)), 1


def registry_title(ctx: Context, family: Family, person: Person, chain: list[Permit]) -> Title:
    """Play the declarations of the window; may cancel the person for a long-expired title.

    Appends the registry's events to the family and returns the title held at the end."""
    end = ctx.end
    if person.origin.eu:
        if person.naturalized is not None:
            return Title()
        years = (end - person.registered) / YEAR
        return Title(kind="3" if years >= 5 else "4", dwelling=person.registered)
    if not chain:
        return Title()
    title, next_index = _initial(ctx, person, chain)
    timeline: list[tuple[int, Title]] = [(max(ctx.start, person.registered), title)]
    for permit in chain[next_index:]:
        if permit.issued is None:
            continue
        if ctx.tally.chance(ctx.rng, "undeclared_renewal", ctx.noise.undeclared_renewal):
            continue
        when = (permit.delivered or permit.issued) + ctx.rng.randint(0, 60)
        if when > end:
            continue
        new = _from_permit(permit, when, renewal=title.kind in {"1", "2"})
        timeline.append((when, new))
        title = new
    _maybe_cancel_for_no_renewal(ctx, family, person, timeline)
    stop = min(x for x in (person.cancelled, person.naturalized, end) if x is not None)
    held = Title()
    for when, title in timeline:
        if when > stop:
            break
        if title.number and title.number != held.number and when > ctx.start:
            changes: dict[str, list[str | None]] = {
                "titolo_numero": [held.number or None, title.number]
            }
            if held.number:
                changes["titolo_data_scadenza"] = [_iso(held.expires), _iso(title.expires)]
            family.events.append(Event(when, person, "variazione", "titolo_soggiorno", changes))
        held = title
    if person.naturalized is not None and person.naturalized <= end:
        return Title()
    return held


def _iso(ordinal: int | None) -> str | None:
    return date.fromordinal(ordinal).isoformat() if ordinal is not None else None


def _maybe_cancel_for_no_renewal(
    ctx: Context, family: Family, person: Person, timeline: list[tuple[int, Title]]
) -> None:
    rng, end = ctx.rng, ctx.end
    for index, (since, title) in enumerate(timeline):
        if title.kind != "1" or title.expires is None:
            continue
        until = timeline[index + 1][0] if index + 1 < len(timeline) else end + 1
        when = title.expires + GRACE_DAYS + rng.randint(0, 540)
        stops = [x for x in (person.cancelled, person.naturalized) if x is not None]
        if not (max(since, ctx.start) < when < until and when <= end):
            continue
        if any(when >= x for x in stops):
            return
        if rng.random() < CANCEL_FOR_NO_RENEWAL:
            _cancel_retroactively(family, person, when)
        return


def _cancel_retroactively(family: Family, person: Person, when: int) -> None:
    """The registry cancels at `when`: it records nothing of the person after that."""
    family.events = [e for e in family.events if e.person is not person or e.when < when]
    person.cancelled, person.cancellation_reason = when, "7"
    family.events.append(
        Event(when, person, "cancellazione", "7", {"stato": ["residente", "cancellato"]})
    )
