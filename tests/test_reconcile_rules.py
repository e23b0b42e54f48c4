# SPDX-License-Identifier: EUPL-1.2
"""Reconciliation rules one by one, on a handful of people made for each case."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from interscambio.core.identity.codice_fiscale import encode, omocode, provisional_check_digit
from interscambio.exchange.models import Flow, ReceivedRegistryEvent
from interscambio.permits.models import Permit
from interscambio.reconciliation import kinds
from interscambio.reconciliation.models import Discrepancy, DiscrepancyChange, Link, Run
from interscambio.reconciliation.service import ReconciliationError, reconcile
from interscambio.registry.models import Resident, Street
from tests.reconcile_city import permit_flow, questura
from tests.residents import make_resident

TODAY = date(2026, 10, 31)


@pytest.fixture
def node(settings: Any, tmp_path: Path, db: None) -> None:
    settings.DATA_DIR = tmp_path
    settings.NODE_ROLE, settings.NODE_ID = "comune", "001272"
    Street.objects.create(code="00101", dug="VIA", name="GARIBALDI", civic_min=1, civic_max=300)
    Street.objects.create(
        code="00102", dug="CORSO", name="REGINA MARGHERITA", civic_min=1, civic_max=300
    )


def resident(registry_id: str, surname: str, given: str, born: date, **extra: Any) -> Resident:
    countries = extra.pop("citizenships", ["MAR"])
    fields = {"sex": "M", **extra}
    return make_resident(
        registry_id, countries, surname=surname, given_names=given, birth_date=born, **fields
    )


def permit(number: str, surname: str, given: str, born: date, **extra: str) -> dict[str, str]:
    row = {
        "numero_permesso": number,
        "tipo": "PS",
        "motivo": "lavoro_subordinato",
        "canale": "kit_postale",
        "data_domanda": "2025-11-01",
        "data_rilascio": "2026-01-10",
        "data_consegna": "",
        "data_scadenza": "2028-01-10",
        "numero_permesso_precedente": "",
        "cui": f"C{number}",
        "codice_fiscale": "",
        "cognome": surname,
        "nome": given,
        "sesso": "M",
        "data_nascita": born.isoformat(),
        "luogo_nascita": "MAROCCO",
        "cittadinanza": "MAR",
        "domicilio_indirizzo": "VIA GARIBALDI 10",
        "domicilio_comune": "TORINO",
        "domicilio_codice_comune": "001272",
    }
    row.update(extra)
    return row


def flow_of(*rows: dict[str, str], sequence: int = 1) -> Flow:
    return permit_flow(questura(), list(rows), sequence)


def open_kinds(registry_id: str = "") -> set[str]:
    found = Discrepancy.objects.filter(status__in=kinds.CURRENT)
    if registry_id:
        found = found.filter(registry_id=registry_id)
    return set(found.values_list("kind", flat=True))


def test_a_renewal_of_a_resident_is_proposed_and_the_domicile_compared(node: None) -> None:
    resident("R1", "EL AMRANI", "YOUSSEF", date(1990, 5, 4), title_number="P0")
    flow = flow_of(
        permit(
            "P1",
            "EL AMRANI",
            "YOUSSEF",
            date(1990, 5, 4),
            numero_permesso_precedente="P0",
            domicilio_indirizzo="C.SO REGINA MARGHERITA 5",
        )
    )
    reconcile(flow, today=TODAY)
    assert Link.objects.get(permit_number="P1").rule == "numero_titolo"
    assert open_kinds("R1") == {kinds.RENEWAL, kinds.DOMICILE}
    d = Discrepancy.objects.get(kind=kinds.DOMICILE)
    assert d.evidence["confrontoIndirizzi"] == "different"
    assert Resident.objects.get(registry_id="R1").title_number == "P0"  # only proposed


def test_the_same_building_in_another_spelling_is_no_discrepancy(node: None) -> None:
    resident(
        "R1",
        "EL AMRANI",
        "YOUSSEF",
        date(1990, 5, 4),
        title_number="P1",
        title_issue_date=date(2026, 1, 10),
        title_expiry_date=date(2028, 1, 10),
    )
    reconcile(
        flow_of(
            permit(
                "P1",
                "EL AMRANI",
                "YOUSSEF",
                date(1990, 5, 4),
                domicilio_indirizzo="V. GARIBALDI N. 10",
            )
        ),
        today=TODAY,
    )
    assert open_kinds() == set()


def test_personal_data_differences_are_named(node: None) -> None:
    resident(
        "R1",
        "EL AMRANI",
        "YOUSSEF",
        date(1990, 5, 4),
        title_number="P1",
        title_issue_date=date(2026, 1, 10),
        title_expiry_date=date(2028, 1, 10),
    )
    reconcile(flow_of(permit("P1", "EL AMRANY", "YOUSSEF", date(1990, 4, 5))), today=TODAY)
    d = Discrepancy.objects.get(kind=kinds.PERSONAL_DATA)
    assert d.evidence["differenze"] == ["cognome", "dataNascita"]
    assert d.severity == kinds.LOW


def test_an_unknown_holder_domiciled_here_is_not_registered_one_elsewhere_is_ignored(
    node: None,
) -> None:
    resident("R1", "ROSSI", "ANNA", date(1970, 1, 1))
    reconcile(
        flow_of(
            permit("P1", "ZHANG", "WEI", date(1995, 3, 3), cittadinanza="CHN"),
            permit(
                "P2",
                "LI",
                "NA",
                date(1996, 3, 3),
                cittadinanza="CHN",
                domicilio_comune="MONCALIERI",
                domicilio_codice_comune="001156",
            ),
        ),
        today=TODAY,
    )
    found = Discrepancy.objects.get(kind=kinds.NOT_REGISTERED)
    assert (found.holder_cui, found.permit_number) == ("CP1", "P1")
    assert not Discrepancy.objects.filter(holder_cui="CP2").exists()


def test_two_residents_the_permit_could_belong_to_need_a_person(node: None) -> None:
    born = date(1988, 7, 7)
    resident("R1", "HOSSAIN", "MOHAMMED", born, civic_number=20)
    resident("R2", "HOSSAIN", "MOHAMED", born, civic_number=20)
    reconcile(
        flow_of(permit("P1", "HOSSAIN", "MUHAMMAD", born, domicilio_indirizzo="VIA GARIBALDI 20")),
        today=TODAY,
    )
    review = Discrepancy.objects.get(kind=kinds.MANUAL_REVIEW)
    assert {c["idAnagrafe"] for c in review.evidence["candidati"]} == {"R1", "R2"}
    assert not Link.objects.filter(permit_number="P1").exists()


def test_an_expired_permit_is_flagged_but_never_for_an_eu_citizen(node: None) -> None:
    resident(
        "R1",
        "DIALLO",
        "AMADOU",
        date(1985, 2, 2),
        citizenships=["SEN"],
        title_expiry_date=date(2026, 6, 1),
    )
    resident(
        "R2",
        "POPESCU",
        "ION",
        date(1985, 2, 2),
        citizenships=["ROU"],
        title_kind="4",
        title_number="",
        title_issue_date=None,
        title_expiry_date=date(2020, 1, 1),
    )
    resident(
        "R3",
        "SALL",
        "FATOU",
        date(1991, 2, 2),
        citizenships=["SEN", "FRA"],
        title_expiry_date=date(2026, 1, 1),
    )
    resident(
        "R4",
        "NDIAYE",
        "MOUSSA",
        date(1980, 2, 2),
        citizenships=["SEN"],
        title_expiry_date=date(2026, 9, 15),
    )  # within the grace period
    reconcile(today=TODAY)
    expired = Discrepancy.objects.get(kind=kinds.EXPIRED)
    assert expired.registry_id == "R1"
    assert expired.due_date == date(2026, 12, 1)  # six months after the expiry


def test_a_cancelled_person_with_a_valid_permit_here_is_flagged(node: None) -> None:
    resident(
        "R1",
        "OKAFOR",
        "CHUKWU",
        date(1979, 9, 9),
        citizenships=["NGA"],
        status="cancellato",
        cancellation_date=date(2026, 3, 1),
        cancellation_reason="6",
        title_number="P1",
        title_issue_date=date(2026, 1, 10),
        title_expiry_date=date(2028, 1, 10),
    )
    reconcile(
        flow_of(permit("P1", "OKAFOR", "CHUKWU", date(1979, 9, 9), cittadinanza="NGA")), today=TODAY
    )
    assert open_kinds() == {kinds.CANCELLED_HOLDER}


def test_a_person_cancelled_for_not_renewing_while_renewed_is_urgent(node: None) -> None:
    resident(
        "R1",
        "OKAFOR",
        "CHUKWU",
        date(1979, 9, 9),
        citizenships=["NGA"],
        status="cancellato",
        cancellation_date=date(2026, 3, 1),
        cancellation_reason="7",
        title_number="P0",
    )
    reconcile(
        flow_of(
            permit(
                "P1",
                "OKAFOR",
                "CHUKWU",
                date(1979, 9, 9),
                cittadinanza="NGA",
                numero_permesso_precedente="P0",
            )
        ),
        today=TODAY,
    )
    d = Discrepancy.objects.get(status=kinds.OPEN)
    assert (d.kind, d.severity, d.rule) == (
        kinds.RENEWAL,
        kinds.HIGH,
        "cancellato_per_mancato_rinnovo",
    )


def test_applied_renewals_record_the_title_the_dwelling_and_an_event(
    node: None, settings: Any
) -> None:
    settings.RECONCILE_RENEWALS = "apply"
    resident("R1", "EL AMRANI", "YOUSSEF", date(1990, 5, 4), title_number="P0")
    flow = flow_of(
        permit("P1", "EL AMRANI", "YOUSSEF", date(1990, 5, 4), numero_permesso_precedente="P0")
    )
    reconcile(flow, today=TODAY)
    person = Resident.objects.get(registry_id="R1")
    assert (person.title_number, person.title_expiry_date) == ("P1", date(2028, 1, 10))
    assert person.title_renewal_date == date(2026, 1, 10)
    # The issuing Questura is the partner whose flow reported the permit.
    assert (person.title_questura_code, person.title_questura_name) == ("TO", "Questura di Torino")
    assert person.dwelling_declaration_date == TODAY
    event = person.events.get()
    assert (event.kind, event.reason_code) == ("variazione", "titolo_soggiorno")
    assert event.changes["fonte"] == {
        "flusso": flow.pk,
        "idRecord": "R1",
        "regola": "numero_titolo",
        "dichiarazioneDimora": True,
    }
    d = Discrepancy.objects.get(kind=kinds.RENEWAL)
    assert d.status == kinds.RESOLVED and d.closed is not None
    # Nothing left to flag: the title is current now.
    assert reconcile(today=TODAY).stored.opened == 0


def test_a_dismissed_discrepancy_stays_closed_and_one_that_no_longer_holds_closes(
    node: None,
) -> None:
    person = resident(
        "R1",
        "DIALLO",
        "AMADOU",
        date(1985, 2, 2),
        citizenships=["SEN"],
        title_expiry_date=date(2026, 6, 1),
    )
    reconcile(today=TODAY)
    d = Discrepancy.objects.get(kind=kinds.EXPIRED)
    d.status = kinds.DISMISSED
    d.save()
    assert reconcile(today=TODAY).stored.opened == 0
    assert Discrepancy.objects.get(pk=d.pk).status == kinds.DISMISSED
    d.status = kinds.OPEN
    d.save()
    person.title_expiry_date = date(2030, 1, 1)
    person.save()
    assert reconcile(today=TODAY).stored.closed == 1
    d.refresh_from_db()
    assert (d.status, d.outcome) == (kinds.RESOLVED, "non più riscontrata")
    assert d.history.last().action == "risolta"  # type: ignore[union-attr]


def test_a_failed_run_changes_nothing_but_its_own_record(
    node: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    resident("R1", "EL AMRANI", "YOUSSEF", date(1990, 5, 4), title_number="P0")
    flow = flow_of(
        permit("P1", "EL AMRANI", "YOUSSEF", date(1990, 5, 4), numero_permesso_precedente="P0")
    )

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr("interscambio.reconciliation.comune.run.store", broken)
    with pytest.raises(RuntimeError):
        reconcile(flow, today=TODAY)
    assert not Link.objects.exists() and not Discrepancy.objects.exists()
    assert not DiscrepancyChange.objects.exists()
    run = Run.objects.get()
    assert run.error == "RuntimeError: disk full" and run.finished is not None


def test_only_an_applied_partner_flow_reconciles(node: None) -> None:
    flow = flow_of(permit("P1", "ZHANG", "WEI", date(1995, 3, 3)))
    flow.state = "held"
    flow.save()
    with pytest.raises(ReconciliationError, match="held"):
        reconcile(flow, today=TODAY)


def test_the_command_prints_the_run_as_json(node: None, capsys: pytest.CaptureFixture[str]) -> None:
    flow_of(permit("P1", "ZHANG", "WEI", date(1995, 3, 3), cittadinanza="CHN"))
    call_command("reconcile", "--date", "2026-10-31", "--json")
    report = json.loads(capsys.readouterr().out)
    assert report["counts"]["findings_by_kind"] == {kinds.NOT_REGISTERED: 1}
    assert report["current_by_kind"] == {kinds.NOT_REGISTERED: 1}


# --- the Questura node ---------------------------------------------------------------------


@pytest.fixture
def questura_node(settings: Any, tmp_path: Path, db: None) -> Flow:
    settings.DATA_DIR = tmp_path
    settings.NODE_ROLE, settings.NODE_ID = "questura", "TO"
    for number, cui, surname, given, born, domicile in (
        ("P1", "C1", "EL AMRANI", "YOUSSEF", date(1990, 5, 4), "VIA GARIBALDI 10"),
        ("P2", "C2", "OKAFOR", "CHUKWU", date(1979, 9, 9), "VIA GARIBALDI 12"),
    ):
        Permit.objects.create(
            number=number,
            kind="PS",
            reason="lavoro_subordinato",
            channel="kit_postale",
            application_date=date(2025, 11, 1),
            issue_date=date(2026, 1, 10),
            expiry_date=date(2028, 1, 10),
            status="consegnato",
            holder_cui=cui,
            surname=surname,
            given_names=given,
            sex="M",
            birth_date=born,
            citizenship="MAR",
            domicile_address=domicile,
            domicile_comune="TORINO",
            domicile_comune_code="001272",
        )
    from interscambio.exchange.models import Partner

    partner = Partner.objects.create(
        node_id="001272", name="Torino", transport="file", since=date(2020, 1, 1)
    )
    flow = Flow.objects.create(
        direction="in",
        partner=partner,
        flow_type="anagrafe",
        sequence=1,
        sha256="0" * 64,
        payload="",
        state="applied",
        record_count=4,
    )
    events = [
        (
            "E1",
            "cancellazione",
            "7",
            "R1",
            "EL AMRANI",
            "YOUSSEF",
            date(1990, 5, 4),
            "MAR",
            "P1",
            "VIA GARIBALDI 10",
        ),
        (
            "E2",
            "variazione",
            "indirizzo",
            "R2",
            "OKAFOR",
            "CHUKWU",
            date(1979, 9, 9),
            "MAR",
            "P2",
            "CORSO REGINA MARGHERITA 5",
        ),
        (
            "E3",
            "iscrizione",
            "4",
            "R3",
            "TRAN",
            "VAN AN",
            date(2001, 1, 1),
            "VNM",
            "",
            "VIA GARIBALDI 30",
        ),
        (
            "E4",
            "iscrizione",
            "3",
            "R4",
            "POPESCU",
            "ION",
            date(1985, 2, 2),
            "ROU",
            "",
            "VIA GARIBALDI 31",
        ),
    ]
    for n, (rid, kind, reason, reg, surname, given, born, country, title, address) in enumerate(
        events
    ):
        ReceivedRegistryEvent.objects.create(
            flow=flow,
            line=n + 2,
            record_id=rid,
            kind=kind,
            reason_code=reason,
            date=date(2026, 10, 5),
            registry_id=reg,
            codice_fiscale="",
            surname=surname,
            given_names=given,
            sex="M",
            birth_date=born,
            birth_place="",
            birth_place_code="Z330",
            citizenships=country,
            street_code="00101",
            address=address,
            title_number=title,
        )
    return flow


def test_the_questura_sees_holders_cancelled_or_moved_and_unknown_foreigners(
    questura_node: Flow,
) -> None:
    reconcile(questura_node, today=TODAY)
    found = {d.kind: d for d in Discrepancy.objects.all()}
    assert set(found) == {kinds.HOLDER_CANCELLED, kinds.HOLDER_MOVED, kinds.UNKNOWN_FOREIGNER}
    assert (found[kinds.HOLDER_CANCELLED].holder_cui, found[kinds.HOLDER_CANCELLED].severity) == (
        "C1",
        kinds.HIGH,
    )
    assert found[kinds.HOLDER_MOVED].holder_cui == "C2"
    assert found[kinds.UNKNOWN_FOREIGNER].registry_id == "R3"  # the EU citizen R4 is not flagged
    assert reconcile(questura_node, today=TODAY).stored.opened == 0


def test_a_provisional_code_in_the_registry_is_compared_without_failing_the_run(
    node: None,
) -> None:
    definitive = encode("EL AMRANI", "YOUSSEF", "M", date(1990, 5, 4), "Z330")
    provisional = "1234567890" + provisional_check_digit("1234567890")
    resident(
        "R1",
        "EL AMRANI",
        "YOUSSEF",
        date(1990, 5, 4),
        codice_fiscale=provisional,
        title_number="P1",
        title_issue_date=date(2026, 1, 10),
        title_expiry_date=date(2028, 1, 10),
    )
    resident(
        "R2",
        "EL AMRANI",
        "YOUSSEF",
        date(1990, 5, 4),
        codice_fiscale=omocode(definitive, 2).lower(),  # an omocode, typed in lower case
        title_number="P2",
        title_issue_date=date(2026, 1, 10),
        title_expiry_date=date(2028, 1, 10),
    )
    flow = flow_of(
        permit("P1", "EL AMRANI", "YOUSSEF", date(1990, 5, 4), codice_fiscale=definitive),
        permit("P2", "EL AMRANI", "YOUSSEF", date(1990, 5, 4), codice_fiscale=definitive),
    )
    reconcile(flow, today=TODAY)
    found = Discrepancy.objects.filter(kind=kinds.PERSONAL_DATA)
    assert [(d.registry_id, d.evidence["differenze"]) for d in found] == [("R1", ["codiceFiscale"])]
