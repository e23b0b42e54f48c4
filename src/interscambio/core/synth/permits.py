# SPDX-License-Identifier: EUPL-1.2
"""Each non-EU resident's chain of permits, as the Questura issues and renews them."""

from __future__ import annotations

import string
from typing import Final

from interscambio.core.synth.context import Context
from interscambio.core.synth.life import Family
from interscambio.core.synth.people import YEAR, Address, Permit, Person

# Validity in months by reason; long-term cards are renewed every ten years.
DURATION_MONTHS: Final[dict[str, int]] = {
    "lavoro_subordinato": 24,
    "lavoro_autonomo": 24,
    "famiglia": 24,
    "studio": 12,
    "attesa_occupazione": 12,
    "asilo": 60,
    "protezione_sussidiaria": 60,
    "protezione_speciale": 24,
    "cure_mediche": 12,
    "minore_eta": 12,
    "lungo_periodo": 120,
    "familiare_ue": 60,
    "altro": 12,
}
ADULT_REASONS: Final = (
    ("lavoro_subordinato", 44),
    ("famiglia", 25),
    ("lavoro_autonomo", 6),
    ("studio", 5),
    ("attesa_occupazione", 5),
    ("asilo", 4),
    ("protezione_sussidiaria", 4),
    ("protezione_speciale", 4),
    ("cure_mediche", 1),
    ("altro", 2),
)
IN_PERSON_REASONS: Final = frozenset(
    {"asilo", "protezione_sussidiaria", "protezione_speciale", "minore_eta", "cure_mediche"}
)
KEPT_REASONS_EXCLUDED: Final = frozenset({"minore_eta", "lungo_periodo", "familiare_ue"})
STOP_RATE: Final = 0.03  # renewals that never happen: the holder left, or stays irregularly
_ALNUM: Final = string.ascii_uppercase + string.digits


def _reason(ctx: Context, person: Person, applied: int, previous: Permit | None) -> str:
    rng = ctx.rng
    if applied - person.born < 18 * YEAR:
        return "minore_eta" if rng.random() < 0.3 else "famiglia"
    keeps_reason = previous is not None and previous.kind == "PS" and rng.random() < 0.7
    if keeps_reason and previous is not None and previous.reason not in KEPT_REASONS_EXCLUDED:
        return previous.reason
    total = sum(weight for _, weight in ADULT_REASONS)
    roll = rng.random() * total
    for reason, weight in ADULT_REASONS:
        roll -= weight
        if roll < 0:
            return reason
    return "altro"


def _permit(
    ctx: Context, family: Family, person: Person, applied: int, previous: Permit | None
) -> Permit:
    rng = ctx.rng
    years_here = (applied - family.registered) / YEAR
    if previous is not None and previous.kind != "PS":
        kind = previous.kind
    elif years_here >= 5 and rng.random() < (0.3 if previous else 0.6):
        kind = "UELP"
    else:
        kind = "CS" if rng.random() < 0.02 else "PS"
    reason = {"UELP": "lungo_periodo", "CS": "familiare_ue"}.get(kind) or _reason(
        ctx, person, applied, previous
    )
    months = DURATION_MONTHS[reason]
    if kind == "UELP" and applied - person.born < 18 * YEAR:
        months = 60
    if reason in IN_PERSON_REASONS:
        channel = "sportello"
    else:
        roll = rng.random()
        channel = "kit_postale" if roll < 0.7 else "prenotafacile" if roll < 0.9 else "sportello"
    issued = applied + int(rng.triangular(25, 200, 70))
    permit = Permit(
        number=ctx.permit_number(),
        kind=kind,
        reason=reason,
        channel=channel,
        applied=applied,
        issued=issued,
        delivered=issued + rng.randint(5, 40),
        expires=issued + int(months * 30.44),
        previous=previous.number if previous else "",
    )
    if channel == "kit_postale":
        permit.application_number = "".join(rng.choices(_ALNUM, k=10))
        permit.registered_post = "".join(rng.choices(string.digits, k=12))
    return permit


def _backdate(ctx: Context, person: Person, permit: Permit, to_issue: int) -> None:
    """Move a freshly drawn permit so that it was issued on `to_issue`."""
    shift = to_issue - (permit.issued or to_issue)
    permit.applied += shift
    permit.issued = to_issue
    permit.delivered = to_issue + ctx.rng.randint(5, 40)
    permit.expires = (permit.expires or to_issue) + shift
    permit.applied = max(permit.applied, person.born)


def permit_chain(ctx: Context, family: Family, person: Person) -> list[Permit]:
    """The permits of `person` that the Questura's extract holds: valid at some point after the
    window opened, or still being processed."""
    if person.origin.eu or (person.naturalized is not None and person.naturalized <= ctx.start):
        return []
    rng, start, end = ctx.rng, ctx.start, ctx.end
    need_until = min(x for x in (person.gone, person.naturalized, end) if x is not None)
    born_here_recently = person.registration_reason == "1" and person.registered > start
    if person.registered > start and person.registration_reason == "4":
        first = _permit(
            ctx, family, person, max(person.born, person.registered - rng.randint(0, 30)), None
        )
    elif born_here_recently:
        first = _permit(ctx, family, person, person.registered + rng.randint(20, 120), None)
    else:
        # Already holding a permit when the window opens (or when moving in from another comune).
        anchor = max(start, person.registered)
        first = _permit(ctx, family, person, anchor, None)
        validity = (first.expires or anchor) - (first.issued or anchor)
        earliest = max(person.registered - int(YEAR), person.born + 30)
        issued = rng.randint(min(anchor, max(earliest, anchor - int(validity * 0.9))), anchor)
        _backdate(ctx, person, first, issued)
        if issued - person.registered > YEAR:
            first.previous = ctx.permit_number()  # renewed before the window: not in the extract
    if first.applied > end:
        return []  # born too recently to have applied yet
    chain = [first]
    while True:
        current = chain[-1]
        if current.expires is None:
            break
        applied = current.expires + rng.randint(-60, 25)
        if applied > end or applied >= need_until or rng.random() < STOP_RATE:
            break
        chain.append(_permit(ctx, family, person, applied, current))
    for permit in chain:
        if permit.issued is not None and permit.issued > end:
            permit.issued = permit.delivered = permit.expires = None
        elif permit.delivered is not None and permit.delivered > end:
            permit.delivered = None
    return chain


def status(chain: list[Permit], index: int, end: int) -> str:
    permit = chain[index]
    if permit.issued is None:
        return "richiesto"
    if index + 1 < len(chain) and chain[index + 1].issued is not None:
        return "rinnovato"
    if permit.delivered is None:
        return "rilasciato"
    if permit.expires is not None and permit.expires < end:
        return "scaduto"
    return "consegnato"


def latest_issued(chain: list[Permit]) -> Permit | None:
    issued = [p for p in chain if p.issued is not None]
    return issued[-1] if issued else None


def questura_domicile(family: Family, person: Person, chain: list[Permit], end: int) -> Address:
    """Where the Questura believes the holder lives: the address given on the last
    application, or a later move the holder reported to the Questura."""
    last_applied = max(p.applied for p in chain)
    address = family.address_at(last_applied)
    until = min(end, person.gone or end)
    for move in family.moves[1:]:
        if last_applied < move.when <= until and move.told_questura:
            address = move.address
    return address
