# SPDX-License-Identifier: EUPL-1.2
"""The registry's deadlines for a foreign resident, from the facts, on a reference date.

DPR 223/1989, as amended:
- art. 7 c.3: the habitual-dwelling declaration is renewed within 60 days of the permit's
  renewal (met by the renewal itself when it came through the exchange and the Comune's
  configuration says so);
- art. 11 c.1 lett. c: cancellation once 6 months have passed since the permit expired, after a
  notice inviting the person to act within the following 30 days.

Terms are counted as Italian law counts them (art. 2963 c.c., art. 155 c.p.c.): the starting
day is not counted; a term in days ends on the last of those days; a term in months ends on the
same day number of the last month, or on that month's last day when it has no such day (six
months from 31 August end on the last day of February). A term that ends on day X is still
running on X: what follows from its end can happen from X + 1.

Framework-free: the Django app `interscambio.deadlines` feeds it and stores what it says.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Final

from interscambio.core.codes import EU_MEMBER_STATES

DECLARATION_DAYS: Final = 60  # art. 7 c.3
CANCELLATION_MONTHS: Final = 6  # art. 11 c.1 lett. c
NOTICE_DAYS: Final = 30  # the notice's invitation to act "nei successivi 30 giorni"

# Title kinds (ANPR table 8) that are no permit: the attestations of EU citizens' stay.
NO_PERMIT_KINDS: Final = frozenset({"3", "4"})
# A receipt of the application, a renewal in progress: the person keeps their rights meanwhile.
PENDING_KINDS: Final = frozenset({"5", "6"})

# The states, in the order of a person's path; labels are the Django app's (translatable).
NOT_SUBJECT: Final = "non_soggetto"
REGULAR: Final = "regolare"
EXPIRING: Final = "in_scadenza"
RENEWAL_PENDING: Final = "rinnovo_in_corso"
DECLARATION_AWAITED: Final = "dichiarazione_attesa"
DECLARATION_MISSED: Final = "dichiarazione_scaduta"
EXPIRED: Final = "scaduto"
NOTIFIED: Final = "avvisato"
CANCELLABLE: Final = "cancellabile"
STATES: Final = (
    NOT_SUBJECT,
    REGULAR,
    EXPIRING,
    RENEWAL_PENDING,
    DECLARATION_AWAITED,
    DECLARATION_MISSED,
    EXPIRED,
    NOTIFIED,
    CANCELLABLE,
)

# The notices' kinds (the notices app's Notice.kind).
NOTICE_EXPIRING: Final = "in_scadenza"
NOTICE_EXPIRED: Final = "scaduto"


def add_months(day: date, months: int) -> date:
    """`day` moved by calendar months, on the target month's last day if it is shorter."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def cancellation_due(expiry: date) -> date:
    """The day the 6 months after the permit's expiry end (art. 11): the queue's due date."""
    return add_months(expiry, CANCELLATION_MONTHS)


def expired_beyond_grace(expiry: date, today: date, grace_days: int) -> bool:
    """Expired more than `grace_days` ago: the Questura's monthly flow had time to bring a
    renewal, so "no renewal known" is a finding (reconciliation) and a letter (notices)."""
    return today > expiry + timedelta(days=grace_days)


def eu_citizen(citizenships: tuple[str, ...]) -> bool:
    return any(c in EU_MEMBER_STATES for c in citizenships)


def subject(resident: bool, citizenships: tuple[str, ...], title_kind: str) -> bool:
    """Whether the permit deadlines concern a registry person at all: a current resident with
    no EU citizenship (EU citizens hold no permit) whose title is not an EU attestation."""
    return resident and not eu_citizen(citizenships) and title_kind not in NO_PERMIT_KINDS


def renewal_pending(title_kind: str, issued: date | None, requested: date | None) -> bool:
    """An application the registry knows of, newer than the title it holds."""
    return title_kind in PENDING_KINDS or (
        requested is not None and (issued is None or requested > issued)
    )


def latest_title(
    kind: str,
    registry: tuple[str, date | None, date | None],
    known: tuple[str, date, date | None] | None,
) -> tuple[str, str, date | None, date | None]:
    """The newer of the registry's title (its kind; number, issue and expiry dates) and the
    newest permit the Questura reported for the person (number, issue, expiry): the registry's
    when it is as new or newer. Returns kind, number, issue and expiry; a reported permit is
    of kind 1, a permit (ANPR table 8)."""
    if known is None or (registry[1] is not None and registry[1] >= known[1]):
        return (kind, *registry)
    return ("1", *known)


@dataclass(frozen=True, slots=True)
class Rules:
    """What the Comune's configuration decides."""

    expiring_days: int = 60  # "in scadenza" from this many days before the expiry
    grace_days: int = 60  # after the expiry, before the "scaduto" notice is due
    dwelling_from_exchange: bool = True  # a renewal through the exchange is the declaration


@dataclass(frozen=True, slots=True)
class Facts:
    """What the registry, the exchange and the notices sent say of one person."""

    resident: bool
    citizenships: tuple[str, ...]
    title_kind: str
    expiry: date | None
    issued: date | None = None
    renewed: date | None = None  # the renewal the 60 days run from
    renewal_requested: date | None = None
    dwelling_declared: date | None = None
    renewal_from_exchange: bool = False
    # (kind, permit expiry, date sent) of every notice sent to the person
    notices: tuple[tuple[str, date, date], ...] = ()


@dataclass(frozen=True, slots=True)
class Deadlines:
    """A person's state on the reference date and the dates that matter for it."""

    state: str
    reason: str
    expiry: date | None = None
    declaration_due: date | None = None  # last day to renew the declaration
    notice_from: date | None = None  # the "scaduto" notice is due from
    notice_due_by: date | None = None  # last day to send it, for cancellation on time
    cancellation_due: date | None = None  # last day of the 6 months
    noticed_on: date | None = None  # the "scaduto" notice for this expiry went out
    cancellable_from: date | None = None  # both terms over: the first day of cancellation
    notices_sent: frozenset[str] = field(default_factory=frozenset)

    @property
    def due_date(self) -> date | None:
        """The next date the office must act by: what the work queue sorts on."""
        return {
            EXPIRING: self.expiry,
            DECLARATION_AWAITED: self.declaration_due,
            DECLARATION_MISSED: self.declaration_due,
            EXPIRED: self.notice_due_by,
            NOTIFIED: self.cancellable_from,
            CANCELLABLE: self.cancellable_from,
        }.get(self.state)

    def dates(self) -> dict[str, date | None]:
        return {
            "expiry": self.expiry,
            "declaration_due": self.declaration_due,
            "notice_from": self.notice_from,
            "notice_due_by": self.notice_due_by,
            "cancellation_due": self.cancellation_due,
            "noticed_on": self.noticed_on,
            "cancellable_from": self.cancellable_from,
        }


def _sent(facts: Facts, kind: str, expiry: date) -> date | None:
    days = [
        sent for k, permit_expiry, sent in facts.notices if k == kind and permit_expiry == expiry
    ]
    return min(days) if days else None


def evaluate(facts: Facts, today: date, rules: Rules) -> Deadlines:
    """The person's deadlines and state on `today`."""
    if not facts.resident:
        return Deadlines(NOT_SUBJECT, "non residente")
    if eu_citizen(facts.citizenships):
        return Deadlines(NOT_SUBJECT, "cittadino UE: nessun permesso")
    if facts.title_kind in NO_PERMIT_KINDS:
        return Deadlines(NOT_SUBJECT, "titolo non soggetto a rinnovo")
    expiry = facts.expiry
    if renewal_pending(facts.title_kind, facts.issued, facts.renewal_requested):
        return Deadlines(RENEWAL_PENDING, "domanda di rinnovo in corso", expiry=expiry)
    if expiry is None:
        return Deadlines(NOT_SUBJECT, "nessuna scadenza nota")
    sent = frozenset(k for k, permit_expiry, _ in facts.notices if permit_expiry == expiry)
    if today > expiry:
        return _expired(facts, expiry, today, rules, sent)
    if today >= expiry - timedelta(days=rules.expiring_days):
        return Deadlines(EXPIRING, "permesso in scadenza", expiry=expiry, notices_sent=sent)
    renewed = facts.renewed
    if renewed is not None:
        declared = facts.dwelling_declared is not None and facts.dwelling_declared >= renewed
        automatic = facts.renewal_from_exchange and rules.dwelling_from_exchange
        if not declared and not automatic:
            due = renewed + timedelta(days=DECLARATION_DAYS)
            state, reason = (
                (DECLARATION_AWAITED, "rinnovato: dichiarazione di dimora attesa")
                if today <= due
                else (DECLARATION_MISSED, "dichiarazione di dimora non resa entro 60 giorni")
            )
            return Deadlines(state, reason, expiry=expiry, declaration_due=due, notices_sent=sent)
    return Deadlines(REGULAR, "permesso valido", expiry=expiry, notices_sent=sent)


def _expired(
    facts: Facts, expiry: date, today: date, rules: Rules, sent: frozenset[str]
) -> Deadlines:
    term = cancellation_due(expiry)
    due_by = term - timedelta(days=NOTICE_DAYS)
    notice_from = min(expiry + timedelta(days=rules.grace_days + 1), due_by)
    noticed = _sent(facts, NOTICE_EXPIRED, expiry)
    base = Deadlines(
        EXPIRED,
        "scaduto senza rinnovo noto, avviso non inviato",
        expiry=expiry,
        notice_from=notice_from,
        notice_due_by=due_by,
        cancellation_due=term,
        notices_sent=sent,
    )
    if noticed is None:
        return base
    start = max(term, noticed + timedelta(days=NOTICE_DAYS)) + timedelta(days=1)
    if today >= start:
        state, reason = CANCELLABLE, "6 mesi dalla scadenza e 30 giorni dall'avviso trascorsi"
    else:
        state, reason = NOTIFIED, "avvisato: termini in corso"
    return replace(base, state=state, reason=reason, noticed_on=noticed, cancellable_from=start)
