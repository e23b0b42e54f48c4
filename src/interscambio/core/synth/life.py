# SPDX-License-Identifier: EUPL-1.2
"""A family's life in the city: who it is, when it arrived, and what happened in the window.

Each process (moves, departures, births, deaths, naturalizations) is drawn as a Poisson process
over the window, so the work and memory per family grow with its events, not with the months.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from interscambio.core.synth.context import Context
from interscambio.core.synth.origins import Origin
from interscambio.core.synth.people import (
    YEAR,
    Address,
    Person,
    birth_place,
    child_surname,
    given_name,
    pick_address,
    pick_origin,
    surname_for,
)

# Yearly rates.
MOVE_RATE: Final = 0.10
DEPARTURE_RATE: Final = 0.06
BIRTH_RATE: Final = 0.07
NATURALIZATION_RATE: Final = 0.03
ARRIVALS_PER_YEAR: Final = 0.075  # share of the stock that arrived in each recent year
NATURALIZED_BEFORE: Final = 0.25  # of non-EU families registered over 12 years ago
DEPARTURE_REASONS: Final = (("5", 0.6), ("3", 0.35), ("6", 0.05))


@dataclass
class Move:
    when: int
    address: Address
    told_registry: bool
    told_questura: bool


@dataclass
class Event:
    when: int
    person: Person
    kind: str
    reason: str
    details: dict[str, Any]


@dataclass
class Family:
    fid: str
    origin: Origin
    registered: int
    members: list[Person]
    moves: list[Move]  # the first is where the family lived on arrival
    events: list[Event] = field(default_factory=list)
    gone: int | None = None

    def address_at(self, when: int) -> Address:
        current = self.moves[0].address
        for move in self.moves:
            if move.when > when:
                break
            current = move.address
        return current

    def registry_address_at(self, when: int) -> Address:
        current = self.moves[0].address
        for move in self.moves[1:]:
            if move.when > when:
                break
            if move.told_registry:
                current = move.address
        return current


def label(ctx: Context, address: Address) -> str:
    street, civic, suffix, *_ = address
    return f"{ctx.catalog.street(street).label} {civic}{('/' + suffix) if suffix else ''}"


def _day(ctx: Context, earliest: float, latest: float) -> int:
    return ctx.rng.randint(int(earliest), max(int(earliest), int(latest)))


def _registration(ctx: Context, head_born: int) -> int:
    """When the family registered: recently for some, years before the window for most."""
    rng, start, end = ctx.rng, ctx.start, ctx.end
    adult = head_born + int(18 * YEAR)
    in_window = min(0.9, ARRIVALS_PER_YEAR * (end - start) / YEAR)
    if adult >= start or rng.random() < in_window:
        return _day(ctx, max(start + 1, adult), end)
    return max(adult, start - int(rng.expovariate(1 / (8 * YEAR))))


def _person(
    ctx: Context, origin: Origin, sex: str, born: int, relation: str, registered: int
) -> Person:
    rng, pool = ctx.rng, ctx.catalog.pools[origin.style]
    place_name, place_code = birth_place(origin, born >= registered)
    return Person(
        pid=ctx.person_id(),
        surname=surname_for(rng, pool, origin.style),
        given=given_name(rng, pool, origin.style, sex),
        sex=sex,
        born=born,
        place_name=place_name,
        place_code=place_code,
        origin=origin,
        relation=relation,
        registered=max(registered, born),
        registration_reason="1" if born >= registered else "4",
        citizenships=[origin.country],
    )


def make_family(ctx: Context) -> Family:
    rng, end = ctx.rng, ctx.end
    origin = pick_origin(rng)
    shape = rng.random()
    single, couple, with_children = shape < 0.42, shape < 0.55, shape < 0.88
    head_sex = (
        ("M" if rng.random() < 0.55 else "F")
        if single or couple or with_children
        else ("F" if rng.random() < 0.8 else "M")
    )
    head_born = end - int(rng.triangular(19, 75, 34) * YEAR) - rng.randint(0, 364)
    registered = _registration(ctx, head_born)
    head = _person(ctx, origin, head_sex, head_born, "1", registered)
    members = [head]
    mother: Person | None = head if head_sex == "F" else None
    if not single and (couple or with_children):
        partner_sex = "F" if head_sex == "M" else "M"
        gap = int(rng.triangular(-3, 8, 2) * YEAR)
        partner_born = head_born + (gap if partner_sex == "F" else -gap)
        adult_at_arrival = registered - int(18 * YEAR)
        partner = _person(
            ctx, origin, partner_sex, min(partner_born, adult_at_arrival), "2", registered
        )
        members.append(partner)
        if partner_sex == "F":
            mother = partner
    if not single and not couple and mother is not None:
        father_surname = head.surname if head_sex == "M" else members[-1].surname
        for _ in range(min(4, 1 + int(rng.expovariate(0.9)))):
            born = mother.born + int(rng.uniform(19, 42) * YEAR)
            # Children born here during the window come from the births of `live`.
            born_here_lately = born >= registered and born > ctx.start
            if born > end or end - born > 26 * YEAR or born_here_lately:
                continue
            child = _person(ctx, origin, rng.choice("MF"), born, "3", registered)
            child.surname = child_surname(origin.style, father_surname, mother.surname)
            members.append(child)
    reason = "4" if rng.random() < 0.7 else "3"  # from abroad, or from another comune
    for person in members:
        if person.registration_reason != "1":
            person.registration_reason = reason
    family = Family(
        fid=ctx.family_id(),
        origin=origin,
        registered=registered,
        members=members,
        moves=[Move(registered, pick_address(rng, ctx.catalog), True, True)],
    )
    _naturalized_before_window(ctx, family)
    return family


def _naturalized_before_window(ctx: Context, family: Family) -> None:
    eligible_from = family.registered + int(10 * YEAR)
    if family.origin.eu or eligible_from + int(2 * YEAR) > ctx.start:
        return
    if ctx.rng.random() >= NATURALIZED_BEFORE:
        return
    when = _day(ctx, eligible_from, ctx.start)
    # Children born after their parents became Italian are Italian: not foreign residents.
    family.members = [p for p in family.members if p.born <= when]
    for person in family.members:
        person.naturalized = when
        person.citizenships = ["ITA", family.origin.country]


def _poisson_times(ctx: Context, rate_per_year: float, after: int, until: int) -> list[int]:
    times: list[int] = []
    if rate_per_year <= 0:
        return times
    when = after
    while True:
        when += 1 + int(ctx.rng.expovariate(rate_per_year / YEAR))
        if when > until:
            return times
        times.append(when)


def _death_rate(person: Person, when: int) -> float:
    age = (when - person.born) / YEAR
    return 0.0005 if age < 50 else 0.005 if age < 70 else 0.03


def live(ctx: Context, family: Family) -> None:
    """Play the window's events for a family, recording what the registry learns of each."""
    end = ctx.end
    begin = max(ctx.start, family.registered)
    for person in family.members:
        if person.registered > ctx.start:
            _registry_event(
                family,
                person.registered,
                person,
                "iscrizione",
                person.registration_reason,
                {"indirizzo": [None, label(ctx, family.moves[0].address)]},
            )
    plan: list[tuple[int, int, str, Person | None]] = []
    for when in _poisson_times(ctx, MOVE_RATE, begin, end):
        plan.append((when, 0, "move", None))
    for when in _poisson_times(ctx, DEPARTURE_RATE, begin, end)[:1]:
        plan.append((when, 1, "depart", None))
    for when in _poisson_times(ctx, BIRTH_RATE, begin, end):
        plan.append((when, 2, "birth", None))
    if family.members[0].naturalized is None:
        years = 4 if family.origin.eu else 10
        eligible = max(begin, family.registered + int(years * YEAR))
        rate = NATURALIZATION_RATE / (6 if family.origin.eu else 1)
        for when in _poisson_times(ctx, rate, eligible, end)[:1]:
            plan.append((when, 3, "naturalize", None))
    for person in family.members:
        start = max(begin, person.born)
        for when in _poisson_times(ctx, _death_rate(person, start), start, end)[:1]:
            plan.append((when, 4, "death", person))
    plan.sort(key=lambda item: (item[0], item[1]))
    for when, _, what, subject in plan:
        if family.gone is not None:
            break
        if what == "move":
            _move(ctx, family, when)
        elif what == "depart":
            _depart(ctx, family, when)
        elif what == "birth":
            _birth(ctx, family, when)
        elif what == "naturalize":
            _naturalize(family, when)
        elif subject is not None and subject.gone is None:
            subject.gone = when
            _cancel(family, subject, when, "1")


def _registry_event(
    family: Family, when: int, person: Person, kind: str, reason: str, details: dict[str, Any]
) -> None:
    family.events.append(Event(when, person, kind, reason, details))


def _present(family: Family) -> list[Person]:
    return [p for p in family.members if p.gone is None]


def _move(ctx: Context, family: Family, when: int) -> None:
    noise = ctx.noise
    roll = ctx.rng.random()
    told_registry = roll >= noise.questura_only_move
    told_questura = roll < noise.questura_only_move or roll >= (
        noise.questura_only_move + noise.registry_only_move
    )
    ctx.tally.noise_of["registry_only_move"] += 1
    ctx.tally.noise_of["questura_only_move"] += 1
    if told_registry and not told_questura:
        ctx.tally.noise_count["registry_only_move"] += 1
    if told_questura and not told_registry:
        ctx.tally.noise_count["questura_only_move"] += 1
    before = family.registry_address_at(when)
    address = pick_address(ctx.rng, ctx.catalog)
    family.moves.append(Move(when, address, told_registry, told_questura))
    if told_registry:
        for person in _present(family):
            _registry_event(
                family,
                when,
                person,
                "variazione",
                "indirizzo",
                {"indirizzo": [label(ctx, before), label(ctx, address)]},
            )


def _cancel(family: Family, person: Person, when: int, reason: str) -> None:
    person.cancelled, person.cancellation_reason = when, reason
    _registry_event(
        family, when, person, "cancellazione", reason, {"stato": ["residente", "cancellato"]}
    )


def _depart(ctx: Context, family: Family, when: int) -> None:
    roll, reason = ctx.rng.random(), DEPARTURE_REASONS[-1][0]
    for code, share in DEPARTURE_REASONS:
        if roll < share:
            reason = code
            break
        roll -= share
    family.gone = when
    for person in _present(family):
        person.gone = when
        _cancel(family, person, when, reason)


def _birth(ctx: Context, family: Family, when: int) -> None:
    mothers = [
        p
        for p in _present(family)
        if p.sex == "F" and p.relation in {"1", "2"} and 18 * YEAR <= when - p.born <= 44 * YEAR
    ]
    if not mothers or family.members[0].naturalized is not None:
        return
    mother = mothers[0]
    father = next((p for p in _present(family) if p.relation in {"1", "2"} and p.sex == "M"), None)
    child = _person(ctx, family.origin, ctx.rng.choice("MF"), when, "3", when)
    child.surname = child_surname(family.origin.style, (father or mother).surname, mother.surname)
    family.members.append(child)
    _registry_event(
        family,
        when,
        child,
        "iscrizione",
        "1",
        {"indirizzo": [None, label(ctx, family.registry_address_at(when))]},
    )


def _naturalize(family: Family, when: int) -> None:
    for person in _present(family):
        before = ";".join(person.citizenships)
        person.naturalized = when
        person.citizenships = ["ITA", family.origin.country]
        _registry_event(
            family,
            when,
            person,
            "variazione",
            "cittadinanza",
            {"cittadinanze": [before, ";".join(person.citizenships)]},
        )


def make_outsider(ctx: Context) -> Family:
    """A non-EU adult the Questura knows and the registry does not: never registered here."""
    rng = ctx.rng
    origin = pick_origin(rng, eu_allowed=False)
    born = ctx.end - int(rng.triangular(19, 60, 30) * YEAR) - rng.randint(0, 364)
    arrived = _registration(ctx, born)
    person = _person(ctx, origin, "M" if rng.random() < 0.6 else "F", born, "1", arrived)
    address = pick_address(rng, ctx.catalog)
    return Family("", origin, arrived, [person], [Move(arrived, address, False, True)])
