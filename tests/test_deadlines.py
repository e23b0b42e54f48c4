# SPDX-License-Identifier: EUPL-1.2
"""The deadline rules on their boundary days, as a pure function (core/deadlines.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from interscambio.core import deadlines as d
from interscambio.core.deadlines import Facts, Rules, add_months, cancellation_due, evaluate

RULES = Rules(expiring_days=60, grace_days=60, dwelling_from_exchange=True)
RENEWED = date(2026, 1, 10)


def facts(**extra: object) -> Facts:
    values: dict[str, object] = {
        "resident": True,
        "citizenships": ("MAR",),
        "title_kind": "1",
        "issued": date(2024, 1, 10),
        "expiry": date(2028, 1, 10),
    }
    values.update(extra)
    return Facts(**values)  # type: ignore[arg-type]


def state(on: date, rules: Rules = RULES, **extra: object) -> str:
    return evaluate(facts(**extra), on, rules).state


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (date(2026, 6, 1), 6, date(2026, 12, 1)),
        (date(2025, 8, 31), 6, date(2026, 2, 28)),  # no 31 February: the month's last day
        (date(2023, 8, 31), 6, date(2024, 2, 29)),  # ... in a leap year, the 29th
        (date(2024, 2, 29), 6, date(2024, 8, 29)),
        (date(2026, 3, 31), 6, date(2026, 9, 30)),
        (date(2025, 12, 31), 2, date(2026, 2, 28)),
        (date(2026, 7, 15), 6, date(2027, 1, 15)),  # across the year
    ],
)
def test_months_are_calendar_months_ending_on_the_shorter_months_last_day(
    start: date, months: int, end: date
) -> None:
    assert add_months(start, months) == end


def test_the_cancellation_term_is_six_calendar_months_not_183_days() -> None:
    assert cancellation_due(date(2025, 8, 31)) == date(2026, 2, 28)
    assert date(2025, 8, 31) + timedelta(days=183) == date(2026, 3, 2)  # what 183 days gave


# The habitual-dwelling declaration: 60 days from the renewal (art. 7 c.3).


@pytest.mark.parametrize(
    ("days_after", "expected"),
    [(59, d.DECLARATION_AWAITED), (60, d.DECLARATION_AWAITED), (61, d.DECLARATION_MISSED)],
)
def test_the_declaration_is_awaited_through_day_60_and_missed_from_day_61(
    days_after: int, expected: str
) -> None:
    on = RENEWED + timedelta(days=days_after)
    found = evaluate(facts(issued=RENEWED, renewed=RENEWED), on, RULES)
    assert found.state == expected
    assert found.declaration_due == date(2026, 3, 11)
    assert found.due_date == date(2026, 3, 11)


def test_a_declaration_on_or_after_the_renewal_meets_the_rule_one_before_does_not() -> None:
    on = RENEWED + timedelta(days=61)
    assert state(on, issued=RENEWED, renewed=RENEWED, dwelling_declared=RENEWED) == d.REGULAR
    before = RENEWED - timedelta(days=1)
    assert state(on, issued=RENEWED, renewed=RENEWED, dwelling_declared=before) == (
        d.DECLARATION_MISSED
    )


@pytest.mark.parametrize(
    ("from_exchange", "setting", "expected"),
    [
        (True, True, d.REGULAR),  # the renewal through the exchange is the declaration
        (True, False, d.DECLARATION_MISSED),  # ... unless the Comune's configuration says no
        (False, True, d.DECLARATION_MISSED),  # a renewal the exchange did not bring
        (False, False, d.DECLARATION_MISSED),
    ],
)
def test_a_renewal_through_the_exchange_counts_as_declared_only_if_configured(
    from_exchange: bool, setting: bool, expected: str
) -> None:
    rules = Rules(dwelling_from_exchange=setting)
    on = RENEWED + timedelta(days=90)
    found = state(on, rules, issued=RENEWED, renewed=RENEWED, renewal_from_exchange=from_exchange)
    assert found == expected


def test_no_renewal_no_declaration_due() -> None:
    found = evaluate(facts(), date(2026, 5, 1), RULES)
    assert (found.state, found.declaration_due, found.due_date) == (d.REGULAR, None, None)


# Expiring: the configured days before the expiry, through the expiry day itself.


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2027, 11, 10), d.REGULAR),  # 61 days before
        (date(2027, 11, 11), d.EXPIRING),  # 60 days before
        (date(2028, 1, 10), d.EXPIRING),  # the expiry day: still valid
        (date(2028, 1, 11), d.EXPIRED),
    ],
)
def test_expiring_from_the_configured_days_before_through_the_expiry_day(
    on: date, expected: str
) -> None:
    assert state(on) == expected


def test_the_expiring_window_is_configurable() -> None:
    assert state(date(2027, 12, 11), Rules(expiring_days=30)) == d.EXPIRING
    assert state(date(2027, 12, 10), Rules(expiring_days=30)) == d.REGULAR


# Expired: notice, then cancellation once 6 months and the notice's 30 days are over.

EXPIRY = date(2025, 8, 31)
TERM = date(2026, 2, 28)  # six months from 31 August


def expired(on: date, noticed: date | None = None, **extra: object) -> d.Deadlines:
    notices = () if noticed is None else ((d.NOTICE_EXPIRED, EXPIRY, noticed),)
    return evaluate(
        facts(issued=date(2023, 8, 31), expiry=EXPIRY, notices=notices, **extra), on, RULES
    )


def test_an_expired_permit_without_notice_names_the_notice_dates_and_the_term() -> None:
    found = expired(date(2025, 9, 1))
    assert found.state == d.EXPIRED
    assert found.cancellation_due == TERM
    assert found.notice_due_by == TERM - timedelta(days=30)  # 29 January 2026
    assert found.notice_from == EXPIRY + timedelta(days=61)  # past the grace period
    assert found.due_date == found.notice_due_by
    assert found.cancellable_from is None


@pytest.mark.parametrize(
    ("expiry", "term"),
    [
        (date(2025, 8, 31), date(2026, 2, 28)),
        (date(2023, 8, 31), date(2024, 2, 29)),  # leap year
        (date(2024, 2, 29), date(2024, 8, 29)),  # from 29 February
        (date(2026, 6, 1), date(2026, 12, 1)),
    ],
)
def test_cancellable_only_the_day_after_the_six_months_end(expiry: date, term: date) -> None:
    notices = ((d.NOTICE_EXPIRED, expiry, expiry + timedelta(days=70)),)
    base = facts(issued=expiry - timedelta(days=730), expiry=expiry, notices=notices)
    day_before, on, after = term - timedelta(days=1), term, term + timedelta(days=1)
    assert evaluate(base, day_before, RULES).state == d.NOTIFIED
    assert evaluate(base, on, RULES).state == d.NOTIFIED  # the term's last day
    found = evaluate(base, after, RULES)
    assert found.state == d.CANCELLABLE
    assert found.cancellable_from == after
    assert found.cancellation_due == term


@pytest.mark.parametrize(
    ("days_before", "expected"),
    [(29, d.NOTIFIED), (30, d.NOTIFIED), (31, d.CANCELLABLE)],
)
def test_the_notice_must_have_run_its_30_days_in_full(days_before: int, expected: str) -> None:
    on = date(2026, 4, 15)  # well past the six months
    found = expired(on, noticed=on - timedelta(days=days_before))
    assert found.state == expected
    assert found.cancellable_from == on - timedelta(days=days_before) + timedelta(days=31)


def test_a_notice_about_another_expiry_does_not_count() -> None:
    older = ((d.NOTICE_EXPIRED, date(2023, 8, 31), date(2023, 11, 1)),)
    found = evaluate(
        facts(issued=date(2023, 8, 31), expiry=EXPIRY, notices=older), date(2026, 4, 1), RULES
    )
    assert found.state == d.EXPIRED


def test_a_renewal_application_keeps_the_person_out_of_the_cancellation_path() -> None:
    assert expired(date(2026, 4, 1), renewal_requested=date(2025, 8, 1)).state == (
        d.RENEWAL_PENDING
    )
    assert expired(date(2026, 4, 1), title_kind="6").state == d.RENEWAL_PENDING
    # An application older than the title it holds is that title's, not a new one.
    assert expired(date(2026, 4, 1), renewal_requested=date(2023, 5, 1)).state == d.EXPIRED


# Who is never subject.


@pytest.mark.parametrize(
    "extra",
    [
        {"citizenships": ("ROU",)},
        {"citizenships": ("SEN", "FRA")},  # one EU citizenship is enough
        {"citizenships": ("MAR", "ITA")},  # naturalised
        {"title_kind": "4"},
        {"title_kind": "3"},
        {"resident": False},
        {"expiry": None},
    ],
)
def test_eu_citizens_cancelled_people_and_titles_without_permit_are_never_subject(
    extra: dict[str, object],
) -> None:
    for on in (date(2025, 1, 1), date(2026, 4, 1), date(2030, 1, 1)):
        found = evaluate(
            facts(**{"issued": date(2023, 8, 31), "expiry": EXPIRY, **extra}), on, RULES
        )
        assert found.state == d.NOT_SUBJECT
        assert found.due_date is None


def test_the_grace_period_and_the_finding_use_one_definition() -> None:
    assert not d.expired_beyond_grace(EXPIRY, EXPIRY + timedelta(days=60), 60)
    assert d.expired_beyond_grace(EXPIRY, EXPIRY + timedelta(days=61), 60)
    assert expired(EXPIRY + timedelta(days=61)).notice_from == EXPIRY + timedelta(days=61)
