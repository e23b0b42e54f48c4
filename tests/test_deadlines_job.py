# SPDX-License-Identifier: EUPL-1.2
"""The daily deadlines job on a handful of residents: records, history, queue, command."""

from __future__ import annotations

import json
from datetime import date, timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections

from interscambio.core import deadlines as rules
from interscambio.deadlines import queue, services
from interscambio.deadlines.models import Deadline, Run, Transition
from interscambio.notices.models import Notice
from interscambio.reconciliation import kinds
from interscambio.reconciliation.models import Discrepancy
from interscambio.reconciliation.models import Run as ReconciliationRun
from interscambio.reconciliation.service import reconcile
from interscambio.registry.models import Resident, Street
from tests.reconcile_city import permit_flow, questura
from tests.residents import make_resident

DAY = date(2026, 3, 1)


@pytest.fixture
def node(settings: Any, tmp_path: Path, db: None) -> None:
    settings.DATA_DIR = tmp_path
    settings.NODE_ROLE, settings.NODE_ID = "comune", "001272"
    settings.DEADLINES_EXPIRING_DAYS = 60
    settings.RECONCILE_EXPIRED_GRACE_DAYS = 60
    settings.RECONCILE_DWELLING_FROM_EXCHANGE = True
    Street.objects.create(code="00101", dug="VIA", name="GARIBALDI", civic_min=1, civic_max=300)


def person(registry_id: str, countries: tuple[str, ...] = ("MAR",), **extra: Any) -> Resident:
    mine = {
        "codice_fiscale": f"CF{registry_id}".ljust(16, "X"),
        "civic_number": 5,
        "title_number": f"P{registry_id}",
        "title_issue_date": date(2024, 1, 10),
        "title_expiry_date": date(2028, 1, 10),
    }
    return make_resident(registry_id, countries, **{**mine, **extra})


def city() -> None:
    """One person in each state on DAY."""
    person("A")  # regolare
    person("B", ("ROU",), title_kind="4", title_number="", title_expiry_date=None)
    person("C", title_expiry_date=DAY + timedelta(days=20))  # in scadenza
    renewed = DAY - timedelta(days=70)
    person("D", title_issue_date=renewed, title_renewal_date=renewed)  # declaration missed
    expired = person("E", title_issue_date=date(2023, 8, 31), title_expiry_date=date(2025, 8, 31))
    Notice.objects.create(
        resident=expired,
        kind=Notice.EXPIRED,
        permit_expiry=date(2025, 8, 31),
        language="it",
        sent_on=date(2025, 11, 3),
    )
    person("F", title_expiry_date=DAY - timedelta(days=100))  # scaduto, no notice


def states() -> dict[str, str]:
    return dict(Deadline.objects.values_list("resident__registry_id", "state"))


def snapshot() -> list[tuple[Any, ...]]:
    return [
        *Deadline.objects.order_by("pk").values_list(),
        *Transition.objects.order_by("pk").values_list(),
        *Discrepancy.objects.order_by("pk").values_list("pk", "status", "fingerprint"),
    ]


def test_the_job_puts_each_person_in_their_state_and_records_how_they_got_there(
    node: None,
) -> None:
    city()
    report = services.run(DAY)
    assert states() == {
        "A": rules.REGULAR,
        "B": rules.NOT_SUBJECT,
        "C": rules.EXPIRING,
        "D": rules.DECLARATION_MISSED,
        "E": rules.CANCELLABLE,  # 28 February ended the six months
        "F": rules.EXPIRED,
    }
    assert report.by_state[rules.REGULAR] == 1 and sum(report.by_state.values()) == 6
    assert Transition.objects.count() == 6
    e = Deadline.objects.get(resident__registry_id="E")
    assert (e.cancellation_due, e.cancellable_from, e.since) == (date(2026, 2, 28), DAY, DAY)
    move = Transition.objects.get(registry_id="E")
    assert (move.from_state, move.to_state) == ("", rules.CANCELLABLE)
    assert move.dates["cancellation_due"] == "2026-02-28"


def test_a_second_run_on_the_same_date_changes_nothing(node: None) -> None:
    city()
    services.run(DAY)
    before, reconciliation_runs = snapshot(), ReconciliationRun.objects.count()
    again = services.run(DAY)
    assert snapshot() == before
    assert ReconciliationRun.objects.count() == reconciliation_runs
    assert (again.changed, again.transitions) == (0, {})
    assert again.queue["opened"] == again.queue["closed"] == 0


def test_a_transition_is_recorded_once_when_the_state_changes_and_since_follows(
    node: None,
) -> None:
    person("C", title_expiry_date=DAY + timedelta(days=20))
    services.run(DAY)
    services.run(DAY + timedelta(days=1))
    assert Transition.objects.count() == 1
    after = DAY + timedelta(days=21)  # the day after the expiry
    services.run(after)
    services.run(after)
    moves = list(Transition.objects.values_list("from_state", "to_state", "date"))
    assert moves == [("", rules.EXPIRING, DAY), (rules.EXPIRING, rules.EXPIRED, after)]
    record = Deadline.objects.get()
    assert (record.state, record.since) == (rules.EXPIRED, after)


def test_history_outlives_a_change_of_dates_without_a_change_of_state(node: None) -> None:
    resident = person("A")
    services.run(DAY)
    Resident.objects.filter(pk=resident.pk).update(title_expiry_date=date(2029, 1, 1))
    report = services.run(DAY)
    assert report.changed == 1 and report.transitions == {}
    assert Deadline.objects.get().expiry == date(2029, 1, 1)
    assert Transition.objects.count() == 1


def test_a_failing_run_leaves_the_database_as_it_was(
    node: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    city()
    services.run(DAY)
    before, runs = snapshot(), Run.objects.count()
    Resident.objects.filter(registry_id="C").update(title_expiry_date=DAY - timedelta(days=1))

    def broken(*args: Any) -> dict[str, int]:
        raise RuntimeError("the queue is unreachable")

    monkeypatch.setattr(queue, "feed", broken)
    with pytest.raises(RuntimeError):
        services.run(DAY + timedelta(days=1))
    assert snapshot() == before
    assert Run.objects.count() == runs


def test_the_queue_gets_a_finding_for_what_no_rule_opens_and_it_closes_by_itself(
    node: None,
) -> None:
    city()
    services.run(DAY)
    current = Discrepancy.objects.filter(status__in=kinds.CURRENT)
    assert set(current.values_list("registry_id", "kind")) == {
        ("D", kinds.DWELLING_NOT_DECLARED),
        ("E", kinds.CANCELLATION_DUE),
    }
    missed = current.get(registry_id="D")
    assert missed.due_date == DAY - timedelta(days=10)  # the 60th day after the renewal
    assert current.get(registry_id="E").due_date == DAY
    # The person comes to declare: the next run closes the finding.
    Resident.objects.filter(registry_id="D").update(dwelling_declaration_date=DAY)
    services.run(DAY + timedelta(days=1))
    missed.refresh_from_db()
    assert missed.status == kinds.RESOLVED
    assert Deadline.objects.get(resident__registry_id="D").state == rules.REGULAR


def test_the_engine_does_not_open_the_expired_permit_finding_again(node: None) -> None:
    city()
    reconcile(today=DAY)
    expired = set(
        Discrepancy.objects.filter(kind=kinds.EXPIRED).values_list("registry_id", "due_date")
    )
    assert expired == {
        ("E", date(2026, 2, 28)),
        ("F", date(2026, 5, 21)),
    }
    services.run(DAY)
    assert Discrepancy.objects.filter(kind=kinds.EXPIRED).count() == 2
    # The periodic rule's due date and the engine's are one definition.
    for registry_id, due in expired:
        assert Deadline.objects.get(resident__registry_id=registry_id).cancellation_due == due


def test_the_queue_can_sort_by_the_persons_nearest_deadline(node: None) -> None:
    city()
    reconcile(today=DAY)
    services.run(DAY)
    ordered = queue.with_deadlines(Discrepancy.objects.filter(status__in=kinds.CURRENT))
    rows = list(ordered.order_by("deadline_due", "pk").values_list("registry_id", "deadline_state"))
    assert rows[0] == ("D", rules.DECLARATION_MISSED)  # due ten days ago
    assert ("E", rules.CANCELLABLE) in rows and ("F", rules.EXPIRED) in rows


def received(number: str, issued: date, expiry: date, previous: str) -> dict[str, str]:
    return {
        "numero_permesso": number,
        "tipo": "PS",
        "motivo": "lavoro_subordinato",
        "canale": "kit_postale",
        "data_domanda": (issued - timedelta(days=90)).isoformat(),
        "data_rilascio": issued.isoformat(),
        "data_consegna": "",
        "data_scadenza": expiry.isoformat(),
        "numero_permesso_precedente": previous,
        "cui": "CUI1",
        "codice_fiscale": "CFAXXXXXXXXXXXXX",
        "cognome": "COGNOMEA",
        "nome": "NOME",
        "sesso": "F",
        "data_nascita": "1990-01-01",
        "luogo_nascita": "MAROCCO",
        "cittadinanza": "MAR",
        "domicilio_indirizzo": "VIA GARIBALDI 5",
        "domicilio_comune": "TORINO",
        "domicilio_codice_comune": "001272",
    }


@pytest.mark.parametrize(("setting", "expected"), [(True, rules.REGULAR), (False, None)])
def test_a_renewal_the_exchange_brought_is_the_declaration_if_configured(
    node: None, settings: Any, setting: bool, expected: str | None
) -> None:
    settings.RECONCILE_DWELLING_FROM_EXCHANGE = setting
    settings.RECONCILE_RENEWALS = "propose"  # known through the exchange, not yet recorded
    person(
        "A",
        title_number="P0",
        title_issue_date=date(2024, 1, 10),
        title_expiry_date=date(2026, 1, 10),
    )
    renewed = date(2026, 1, 5)
    permit_flow(questura(), [received("P1", renewed, date(2028, 1, 5), "P0")])
    reconcile(today=renewed + timedelta(days=1))
    found = {}
    for days in (59, 60, 61):
        on = renewed + timedelta(days=days)
        services.run(on)
        found[days] = Deadline.objects.get().state
    if expected is not None:
        assert set(found.values()) == {expected}
    else:
        assert found == {
            59: rules.DECLARATION_AWAITED,
            60: rules.DECLARATION_AWAITED,
            61: rules.DECLARATION_MISSED,
        }
        assert Deadline.objects.get().declaration_due == renewed + timedelta(days=60)


# The command


def command(*args: str) -> str:
    out = StringIO()
    call_command("deadlines", *args, stdout=out)
    return out.getvalue()


def test_the_command_prints_the_counts_per_state_and_the_transitions(node: None) -> None:
    city()
    text = command("run", "--date", DAY.isoformat())
    assert "cancellabile" in text and "- -> scaduto: 1" in text
    assert "6 transitions, 6 records changed" in text
    report = json.loads(command("run", "--date", DAY.isoformat(), "--json"))
    assert report["by_state"][rules.EXPIRED] == 1
    assert report["transitions"] == {} and report["records_changed"] == 0


def test_if_due_runs_once_a_day(node: None) -> None:
    city()
    command("run", "--date", DAY.isoformat(), "--if-due")
    assert "already computed" in command("run", "--date", DAY.isoformat(), "--if-due")
    assert Run.objects.count() == 1


def test_show_and_list(node: None) -> None:
    city()
    command("run", "--date", DAY.isoformat())
    shown = json.loads(command("show", "cfexxxxxxxxxxxxx", "--json"))
    assert shown["state"] == rules.CANCELLABLE and shown["cancellable_from"] == "2026-03-01"
    assert [h["to"] for h in shown["history"]] == [rules.CANCELLABLE]
    assert "cancellabile" in command("show", "E")
    listed = command("list", "--state", rules.EXPIRED)
    assert "F " in listed and "1 in scaduto" in listed
    with pytest.raises(CommandError, match=r"no registry person .* NOBODY"):
        command("show", "nobody")


def test_the_command_refuses_to_run_on_a_questura_node(node: None, settings: Any) -> None:
    settings.NODE_ROLE = "questura"
    with pytest.raises(CommandError, match="belongs on a comune node"):
        command("run")


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="two connections at once to one server: SQLite's writers wait for each other anyway",
)
def test_two_runs_at_once_for_a_day_record_it_once(
    settings: Any, tmp_path: Path, transactional_db: None
) -> None:
    import threading

    settings.DATA_DIR = tmp_path
    settings.NODE_ROLE, settings.NODE_ID = "comune", "001272"
    Street.objects.create(code="00101", dug="VIA", name="GARIBALDI", civic_min=1, civic_max=300)
    for n in range(5):
        person(f"R{n}", title_expiry_date=DAY + timedelta(days=10 * n))
    start, failures = threading.Barrier(2), []

    def work() -> None:
        try:
            start.wait()
            services.run(DAY, if_due=True)
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures
    assert Run.objects.filter(reference_date=DAY).count() == 1
    assert Transition.objects.count() == Deadline.objects.count() == 5
