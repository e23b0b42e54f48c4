# SPDX-License-Identifier: EUPL-1.2
"""The supervisor's anomaly reports: each rule fires on a case built for it and stays quiet
just below its threshold; only reads count, only inside the window, on local days and hours."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from interscambio.audit import actions, anomalies, log

pytestmark = pytest.mark.django_db

ROME = ZoneInfo("Europe/Rome")
MONDAY = date(2026, 1, 12)  # winter: Rome is UTC+1
QUESTURA, COMUNE, PREFETTURA = "Questura di Prova", "Comune di Prova", "Prefettura di Prova"


def local(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ROME)


def read(
    user: str,
    at: datetime,
    *,
    office: str = QUESTURA,
    case: str = "2026/PRATICA-1",
    persons: Iterable[str] = (),
    action: str = actions.VIEW,
    purpose: str = "controllo",
) -> None:
    log.append(
        action, user=user, office=office, role="consultatore", purpose=purpose,
        case_reference=case, records=[actions.person(p) for p in persons], at=at,
    )  # fmt: skip


def reads(user: str, day: date, n: int, **kwargs: Any) -> None:
    for i in range(n):
        read(user, local(day, 9) + timedelta(seconds=i), **kwargs)


def day_report(day: date = MONDAY) -> anomalies.Report:
    return anomalies.report(local(day, 0), local(day + timedelta(days=1), 0))


# Volume


@pytest.mark.parametrize(
    ("history", "today", "usual", "flagged"),
    [
        ((10, 10, 10, 10, 10), 30, 10, False),  # the factor decides: max(30, 30)
        ((10, 10, 10, 10, 10), 31, 10, True),
        ((2, 2, 2), 22, 2, False),  # the margin decides: max(6, 22)
        ((2, 2, 2), 23, 2, True),
        ((0, 10), 25, 5, False),  # yesterday quiet, the first day counts: median of 0 and 10
        ((0, 10), 26, 5, True),
    ],
)
def test_a_day_above_the_users_usual_is_flagged(
    history: tuple[int, ...], today: int, usual: float, flagged: bool
) -> None:
    # history[0] is yesterday, history[-1] the day of the user's first read.
    for back, n in enumerate(history, start=1):
        reads("agente.1", MONDAY - timedelta(days=back), n)
    reads("agente.1", MONDAY, today)
    found = day_report().volume
    assert [(f.user, f.day, f.reads, f.usual) for f in found] == (
        [("agente.1", MONDAY, today, usual)] if flagged else []
    )


def test_the_usual_looks_back_28_days_only() -> None:
    # Two a day from 35 to 15 days back, then two quiet weeks: 14 twos and 14 zeros in the
    # 28 days, median 1; a longer look back would find a median of 2.
    for back in range(15, 36):
        reads("agente.1", MONDAY - timedelta(days=back), 2)
    reads("agente.1", MONDAY, 22)
    assert [(f.reads, f.usual) for f in day_report().volume] == [(22, 1)]


def test_earlier_days_of_the_window_are_history_for_later_ones() -> None:
    tuesday, wednesday = MONDAY + timedelta(days=1), MONDAY + timedelta(days=2)
    # The window opens at noon on Monday; Monday's history is the whole day, 40 reads.
    for i in range(20):
        read("agente.1", local(MONDAY, 9, i))
        read("agente.1", local(MONDAY, 13, i))
    reads("agente.1", tuesday, 70)  # below max(3 × 40, 40 + 20)
    reads("nuovo.1", tuesday, 60)  # a new user's heavy first day
    reads("nuovo.1", wednesday, 60)  # now their usual
    found = anomalies.report(local(MONDAY, 12), local(MONDAY + timedelta(days=3), 0)).volume
    assert [(f.user, f.day, f.usual) for f in found] == [("nuovo.1", tuesday, None)]


def test_days_before_the_first_read_are_not_counted_as_zero() -> None:
    # Started three days ago at 10 a day: usual 10 (threshold 30), not a median of 25 zeros.
    for back in (1, 2, 3):
        reads("agente.1", MONDAY - timedelta(days=back), 10)
    reads("agente.1", MONDAY, 25)
    assert day_report().volume == ()


def test_quiet_days_after_the_first_read_count_as_zero() -> None:
    # 10 a day on three days, then a week without reads: usual 0, so 21 is above 0 + 20.
    for back in (10, 9, 8):
        reads("agente.1", MONDAY - timedelta(days=back), 10)
    reads("agente.1", MONDAY, 21)
    (found,) = day_report().volume
    assert (found.reads, found.usual) == (21, 0)
    assert "mediana di 0" in found.reason


@pytest.mark.parametrize(("today", "flagged"), [(50, False), (51, True)])
def test_a_new_user_is_flagged_only_above_the_fixed_threshold(today: int, flagged: bool) -> None:
    reads("nuovo.1", MONDAY, today, office=COMUNE)
    found = day_report().volume
    assert [(f.user, f.offices, f.usual) for f in found] == (
        [("nuovo.1", (COMUNE,), None)] if flagged else []
    )


def test_a_user_working_for_two_offices_is_counted_once() -> None:
    reads("agente.1", MONDAY, 26, office=QUESTURA)
    reads("agente.1", MONDAY, 25, office=COMUNE)
    (found,) = day_report().volume
    assert (found.reads, found.offices) == (51, (COMUNE, QUESTURA))


def test_actions_that_are_not_reads_do_not_count_towards_volume() -> None:
    reads("nuovo.1", MONDAY, 45, action=actions.LOGIN)
    reads("nuovo.1", MONDAY, 10)
    assert day_report().volume == ()


def test_volume_counts_only_reads_inside_the_window() -> None:
    reads("nuovo.1", MONDAY - timedelta(days=1), 60)  # the day before the window
    for i in range(30):
        read("nuovo.2", local(MONDAY, 9, i))  # before the window's noon start
    for i in range(25):
        read("nuovo.2", local(MONDAY, 13, i))
    for i in range(50):
        read("nuovo.3", local(MONDAY, 15, i))
    read("nuovo.3", local(MONDAY, 18))  # exactly at the end: excluded
    found = anomalies.report(local(MONDAY, 12), local(MONDAY, 18)).volume
    assert found == ()


# Off-hours


@pytest.mark.parametrize(
    ("moment", "off"),
    [
        (local(MONDAY, 6, 59), True),
        (local(MONDAY, 7, 0), False),
        (local(MONDAY, 19, 59), False),
        (local(MONDAY, 20, 0), True),
        (local(MONDAY + timedelta(days=5), 13, 59), False),  # Saturday
        (local(MONDAY + timedelta(days=5), 14, 0), True),
        (local(MONDAY + timedelta(days=6), 10, 0), True),  # Sunday
    ],
)
def test_reads_outside_working_hours_are_flagged(moment: datetime, off: bool) -> None:
    read("agente.1", moment)
    found = anomalies.report(local(MONDAY, 0), local(MONDAY + timedelta(days=7), 0)).off_hours
    assert [(f.user, f.day, f.first) for f in found] == (
        [("agente.1", moment.date(), moment)] if off else []
    )


def test_working_hours_are_local_time_not_utc() -> None:
    read("agente.1", datetime(2026, 6, 15, 5, 30, tzinfo=UTC))  # 07:30 in Rome
    read("agente.2", datetime(2026, 6, 15, 18, 30, tzinfo=UTC))  # 20:30 in Rome
    read("agente.3", datetime(2026, 6, 20, 22, 30, tzinfo=UTC))  # Sunday 00:30 in Rome
    found = anomalies.report(local(date(2026, 6, 15), 0), local(date(2026, 6, 22), 0)).off_hours
    assert [(f.user, f.day, f"{f.first:%H:%M}") for f in found] == [
        ("agente.2", date(2026, 6, 15), "20:30"),
        ("agente.3", date(2026, 6, 21), "00:30"),
    ]


def test_off_hours_reads_are_grouped_per_user_and_day() -> None:
    sunday = MONDAY + timedelta(days=6)
    read("agente.1", local(sunday, 22, 40))
    read("agente.1", local(sunday, 9, 0), office=COMUNE)
    read("agente.1", local(sunday, 11, 15))
    read("agente.1", local(sunday, 12), action=actions.LOGIN)
    read("agente.1", local(MONDAY, 10))  # working hours
    found = anomalies.report(local(MONDAY, 0), local(sunday + timedelta(days=1), 0)).off_hours
    assert [(f.reads, f.offices, f"{f.first:%H:%M}", f"{f.last:%H:%M}") for f in found] == [
        (3, (COMUNE, QUESTURA), "09:00", "22:40")
    ]
    assert "domenica 18/01/2026" in found[0].reason


def test_off_hours_reads_outside_the_window_are_not_reported() -> None:
    read("agente.1", local(MONDAY, 23))
    assert day_report(MONDAY + timedelta(days=1)).off_hours == ()


# Case references


def persons(first: int, n: int) -> list[str]:
    return [f"R{i:06d}" for i in range(first, first + n)]


@pytest.mark.parametrize(
    ("views", "flagged"),
    [
        ([(f"2026/{i}", [p]) for i, p in enumerate(persons(0, 10))], True),
        # Two persons share a file: nine references for ten persons, 0.9, still no pattern.
        ([(f"2026/{i // 2 if i < 2 else i}", [p]) for i, p in enumerate(persons(0, 10))], True),
        # Two files of two persons each: eight references for ten, a pattern.
        ([(f"2026/{i // 2 if i < 4 else i}", [p]) for i, p in enumerate(persons(0, 10))],
         False),
        ([(f"2026/{i}", [p]) for i, p in enumerate(persons(0, 9))], False),  # too few persons
        ([("2026/A", persons(0, 6)), ("2026/B", persons(6, 6))], False),  # casework
        ([("", [p]) for p in persons(0, 10)], True),
        ([("ab", [p]) for p in persons(0, 10)], True),  # too short to be a reference
        ([("abc", [p]) for p in persons(0, 10)], False),
        # One file of twenty, and ten people besides it with no reference at all.
        ([("2026/A", persons(0, 20)), *(("", [p]) for p in persons(20, 10))], True),
        ([("2026/A", persons(0, 20)), *(("", [p]) for p in persons(20, 9))], False),
        # Read first without a reference, then under the file's: referenced.
        ([*(("", [p]) for p in persons(0, 10)), ("2026/A", persons(0, 10))], False),
        ([("2026/A", persons(0, 10)), *(("", [p]) for p in persons(0, 10))], False),
    ],
)  # fmt: skip
def test_many_people_viewed_without_a_case_pattern_are_flagged(
    views: list[tuple[str, list[str]]], flagged: bool
) -> None:
    for i, (case, seen) in enumerate(views):
        read("agente.1", local(MONDAY, 10, i % 60), case=case, persons=seen)
    found = day_report().case_references
    assert [(f.user, f.day) for f in found] == ([("agente.1", MONDAY)] if flagged else [])


def test_a_case_finding_counts_persons_references_and_the_unreferenced() -> None:
    for i, p in enumerate(persons(0, 12)):
        read("agente.1", local(MONDAY, 10, i), case=f"2026/{i}" if i < 8 else " ", persons=[p])
    (found,) = day_report().case_references
    assert (found.persons, found.case_references, found.unreferenced) == (12, 8, 4)
    assert found.reason == (
        "12 persone consultate il 12/01/2026 con 8 riferimenti pratica distinti "
        "e 4 senza riferimento valido"
    )


def test_the_work_queues_pages_are_no_case_finding_but_still_reads_of_their_people() -> None:
    page = persons(0, 50)
    read("operatore.1", local(MONDAY, 10), office=COMUNE, case="", persons=page,
         purpose=actions.QUEUE_PURPOSE)  # fmt: skip
    for office in (QUESTURA, PREFETTURA):  # the queue's read is one of the person's offices
        read("agente.1", local(MONDAY, 12), office=office, persons=page[:1])
    found = day_report()
    assert found.case_references == ()
    assert [f.offices for f in found.many_offices] == [(COMUNE, PREFETTURA, QUESTURA)]
    read("operatore.1", local(MONDAY, 11), office=COMUNE, case="", persons=page)
    assert [f.persons for f in day_report().case_references] == [50]


def test_case_patterns_are_judged_per_day_and_on_reads_only() -> None:
    for i, p in enumerate(persons(0, 10)):
        day = MONDAY if i < 5 else MONDAY + timedelta(days=1)
        read("agente.1", local(day, 10, i), case=f"2026/{i}", persons=[p])
    for i, p in enumerate(persons(10, 10)):
        read("agente.2", local(MONDAY, 10, i), case=f"2026/{i}", persons=[p], action=actions.GRANT)
    report = anomalies.report(local(MONDAY, 0), local(MONDAY + timedelta(days=2), 0))
    assert report.case_references == ()


# Many offices


def test_one_person_viewed_by_three_offices_is_flagged() -> None:
    read("agente.1", local(MONDAY, 9), office=QUESTURA, persons=["R000001", "R000002"])
    read("agente.2", local(MONDAY, 10), office=COMUNE, persons=["R000001", "R000002"])
    read("agente.3", local(MONDAY, 11), office=PREFETTURA, persons=["R000001"])
    read("agente.4", local(MONDAY, 12), office=QUESTURA, persons=["R000001"])
    read("agente.5", local(MONDAY, 13), office="", persons=["R000002"])  # a job, not an office
    read("agente.6", local(MONDAY, 14), office=PREFETTURA, persons=["R000002"],
         action=actions.LOG_READ)  # fmt: skip
    read("agente.7", local(MONDAY + timedelta(days=1), 9), office=PREFETTURA, persons=["R000002"])
    (found,) = day_report().many_offices
    assert (found.record, found.offices, found.reads) == (
        "residente:R000001",
        (COMUNE, PREFETTURA, QUESTURA),
        4,
    )
    assert found.reason.startswith("consultato da 3 uffici diversi")


# Together


def test_the_report_runs_in_a_fixed_number_of_queries(django_assert_max_num_queries: Any) -> None:
    def queries(users: int) -> int:
        for u in range(users):
            read(f"q{users}.{u}", local(MONDAY, 22), persons=[f"Q{users:02d}{u:04d}"])
        with django_assert_max_num_queries(10) as captured:
            day_report()
        return len(captured)

    assert queries(1) == queries(20)


def test_the_inspection_export_has_one_row_per_finding_and_no_names() -> None:
    reads("nuovo.1", MONDAY, 51, office=COMUNE)
    read("agente.1", local(MONDAY, 21), persons=["R000001"])
    for i, p in enumerate(persons(100, 10)):
        read("agente.2", local(MONDAY, 11, i), case="", persons=[p])
    read("agente.3", local(MONDAY, 12), office=COMUNE, persons=["R000001"])
    read("agente.4", local(MONDAY, 12), office=PREFETTURA, persons=["R000001"])
    table = anomalies.rows(day_report())
    assert [(r["tipo"], r["utente"], r["record"], r["letture"]) for r in table] == [
        ("volume", "nuovo.1", "", "51"),
        ("fuori_orario", "agente.1", "", "1"),
        ("riferimenti_pratica", "agente.2", "", "10"),
        ("molti_uffici", "", "residente:R000001", "3"),
    ]
    assert table[0]["giorno"] == "2026-01-12" and table[0]["uffici"] == COMUNE
    assert table[3]["giorno"] == "" and table[3]["uffici"] == f"{COMUNE}; {PREFETTURA}; {QUESTURA}"
    assert all(tuple(r) == anomalies.COLUMNS for r in table)
    stream = io.StringIO()
    writer = csv.DictWriter(stream, fieldnames=anomalies.COLUMNS)
    writer.writeheader()
    writer.writerows(table)
    assert "R000100" not in stream.getvalue()  # persons only as the many-offices record


def test_a_naive_window_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        anomalies.report(datetime(2026, 1, 12), datetime(2026, 1, 13))


@pytest.mark.parametrize(
    ("day", "province", "holiday"),
    [
        (date(2026, 12, 8), "", "Immacolata Concezione"),  # a Tuesday
        (date(2026, 6, 24), "TO", "San Giovanni"),  # Turin's patron saint, a Wednesday
        (date(2026, 6, 24), "", None),  # elsewhere a working day
    ],
)
def test_a_read_on_a_public_holiday_is_off_hours_all_day(
    day: date, province: str, holiday: str | None, settings: Any
) -> None:
    settings.ANOMALIES_HOLIDAYS_PROVINCE = province
    read("agente.1", local(day, 10))
    found = day_report(day).off_hours
    if holiday is None:
        assert found == ()
    else:
        assert [(f.user, f.day) for f in found] == [("agente.1", day)]
        assert holiday in found[0].reason


def test_an_unknown_province_for_the_holidays_is_a_clear_configuration_error(
    settings: Any,
) -> None:
    from django.core.exceptions import ImproperlyConfigured

    settings.ANOMALIES_HOLIDAYS_PROVINCE = "XX"
    with pytest.raises(ImproperlyConfigured, match="INTERSCAMBIO_HOLIDAYS_PROVINCE: 'XX'"):
        day_report()
