# SPDX-License-Identifier: EUPL-1.2
"""The work queue in the portal: who reaches it, what it lists and in which order, the
export, a discrepancy's page, and the actions by form, one at a time and in bulk."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from interscambio.access import roles, rules
from interscambio.access.models import Office
from interscambio.audit import actions as logged
from interscambio.audit.models import LogEntry
from interscambio.reconciliation import kinds
from interscambio.reconciliation.models import Discrepancy, Link
from interscambio.reconciliation.queue import listing
from tests import portal_world, queue_world
from tests.portal_world import login
from tests.queue_world import OTHER_RENEWAL

EVERY = {kinds.RENEWAL, kinds.DOMICILE, kinds.PERSONAL_DATA, OTHER_RENEWAL}


@pytest.fixture
def found(world: portal_world.World) -> dict[str, Discrepancy]:
    return queue_world.discrepancies()


@pytest.fixture
def operator(found: dict[str, Discrepancy]) -> Client:
    client = Client()
    login(client, "operatore")
    return client


def _last() -> dict[str, Any]:
    return LogEntry.objects.order_by("-index").first().entry  # type: ignore[union-attr]


def _listed(client: Client, query: str = "") -> list[int]:
    page = client.get(f"/lavoro/?{query}")
    assert page.status_code == 200
    rows = page.context["page"]
    return [d.pk for d in rows]


@pytest.mark.parametrize(
    "username, status",
    [("operatore", 200), ("admin_anagrafe", 200), ("agente", 403), ("supervisore", 403)],
)
def test_only_the_registry_staff_work_a_comunes_queue(
    found: dict[str, Discrepancy], username: str, status: int
) -> None:
    client = Client()
    login(client, username)
    assert client.get("/lavoro/").status_code == status
    assert client.get(f"/lavoro/{found[kinds.RENEWAL].pk}/").status_code == status


def test_a_questura_operator_is_refused_a_comunes_queue(world: portal_world.World) -> None:
    user = portal_world._user("ui_operatore")
    rules.grant(
        user,
        world.offices["UI-TO"],
        roles.QUESTURA_OPERATOR,
        since=portal_world.START,
        until=portal_world.END,
        by="test",
    )
    client = Client()
    login(client, "ui_operatore")
    assert client.get("/lavoro/").status_code == 403


def test_the_most_urgent_comes_first(found: dict[str, Discrepancy], operator: Client) -> None:
    renewal, domicile, data = (
        found[kinds.RENEWAL],
        found[kinds.DOMICILE],
        found[kinds.PERSONAL_DATA],
    )
    # No dates: severity, then the oldest. The low-severity name spelling comes last.
    assert _listed(operator)[-1] == data.pk
    # A cancellation deadline near: that person's discrepancy goes first, whatever its severity.
    Discrepancy.objects.filter(pk=data.pk).update(due_date=timezone.localdate() + timedelta(days=3))
    Discrepancy.objects.filter(pk=domicile.pk).update(
        check_due=timezone.localdate() + timedelta(days=9)
    )
    assert _listed(operator) == [data.pk, domicile.pk, renewal.pk, found[OTHER_RENEWAL].pk]


def test_a_persons_deadline_from_the_engine_puts_their_discrepancy_first(
    found: dict[str, Discrepancy], operator: Client
) -> None:
    from interscambio.core import deadlines as engine
    from interscambio.deadlines.models import Deadline
    from interscambio.deadlines.models import Run as DeadlineRun
    from interscambio.registry.models import Resident

    near = timezone.localdate() + timedelta(days=5)
    Deadline.objects.create(
        resident=Resident.objects.get(registry_id="R0002"),
        state=engine.CANCELLABLE,
        since=queue_world.TODAY,
        reason="sei mesi dalla scadenza",
        due_date=near,
        run=DeadlineRun.objects.create(reference_date=queue_world.TODAY),
    )
    listed = _listed(operator)
    assert set(listed[:2]) == {found[kinds.PERSONAL_DATA].pk, found[OTHER_RENEWAL].pk}
    first = operator.get("/lavoro/").context["page"][0]
    assert (first.urgent_on, first.deadline_state) == (near, engine.CANCELLABLE)
    Deadline.objects.update(state=engine.NOTIFIED)
    assert "<small>avvisato, termini in corso</small>" in operator.get("/lavoro/").content.decode()


@pytest.mark.parametrize(
    "query, kinds_listed",
    [
        (f"tipo={kinds.DOMICILE}", {kinds.DOMICILE}),
        ("gravita=bassa", {kinds.PERSONAL_DATA}),
        ("circoscrizione=7", EVERY),
        ("circoscrizione=3", set()),
        ("aperta_da=7", set()),
        ("stato=risolta", set()),
        ("assegnate=mie", set()),
        ("assegnate=nessuno", EVERY),
    ],
)
def test_the_filters_select(
    found: dict[str, Discrepancy], operator: Client, query: str, kinds_listed: set[str]
) -> None:
    by_pk = {d.pk: kind for kind, d in found.items()}
    assert {by_pk[pk] for pk in _listed(operator, query)} == kinds_listed


def test_age_and_assignment_filters_find_them_too(
    found: dict[str, Discrepancy], operator: Client
) -> None:
    old = found[kinds.PERSONAL_DATA]
    Discrepancy.objects.filter(pk=old.pk).update(opened=timezone.now() - timedelta(days=40))
    assert _listed(operator, "aperta_da=30") == [old.pk]
    operator.post(f"/lavoro/{old.pk}/azione/", {"azione": "prendi"})
    assert _listed(operator, "assegnate=mie") == [old.pk]


def test_reading_the_queue_is_logged_with_the_people_shown(
    found: dict[str, Discrepancy], operator: Client
) -> None:
    operator.get("/lavoro/?gravita=bassa")
    entry = _last()
    assert entry["action"] == logged.VIEW and entry["purpose"] == "lavorazione_discrepanze"
    assert entry["query"]["coda"] == {"severity": "bassa", "status": listing.CURRENT}
    assert entry["records"] == [f"discrepanza:{found[kinds.PERSONAL_DATA].pk}", "residente:R0002"]


def test_the_export_holds_the_filtered_list_and_is_logged(
    found: dict[str, Discrepancy], operator: Client
) -> None:
    answer = operator.get(f"/lavoro/?tipo={kinds.DOMICILE}&formato=csv")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "N." and [r[0] for r in rows[1:]] == [str(found[kinds.DOMICILE].pk)]
    entry = _last()
    assert entry["action"] == logged.EXPORT and entry["query"]["elenco"] == "coda-discrepanze"
    assert entry["query"]["filtri"]["kind"] == kinds.DOMICILE
    assert entry["records"] == ["residente:R0001"]
    xlsx = operator.get("/lavoro/?formato=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_a_discrepancys_page_sets_the_two_records_side_by_side(
    found: dict[str, Discrepancy], operator: Client
) -> None:
    d = found[kinds.PERSONAL_DATA]
    page = operator.get(f"/lavoro/{d.pk}/")
    rows = {r.key: r for r in page.context["rows"]}
    assert (rows["cognome"].registry, rows["cognome"].permit) == ("BENNANI", "BENANI")
    assert rows["cognome"].differs and not rows["nome"].differs
    assert not rows["indirizzo"].differs
    html = page.content.decode()
    assert "⚠ diverso" in html  # in words, not by colour alone
    entry = _last()
    assert entry["action"] == logged.VIEW and entry["case"] == f"discrepanza:{d.pk}"
    assert "residente:R0002" in entry["records"]


def test_the_page_explains_a_probabilistic_link_field_by_field(
    found: dict[str, Discrepancy], operator: Client
) -> None:
    d = found[kinds.PERSONAL_DATA]
    Link.objects.filter(permit_number=d.permit_number).update(
        rule="linkage",
        score=0.97,
        explanation={"cognome": "jaro_winkler_0.9", "cognome_weight": 4.25,
                     "data_nascita": "exact", "data_nascita_weight": 9.5},
    )  # fmt: skip
    page = operator.get(f"/lavoro/{d.pk}/")
    reasons = [(r.field, r.agreement, r.weight) for r in page.context["reasons"]]
    assert reasons == [("cognome", "jaro_winkler_0.9", 4.25), ("data_nascita", "exact", 9.5)]
    assert "4.25" in page.content.decode() or "4,25" in page.content.decode()


def test_another_nodes_kind_is_not_found(found: dict[str, Discrepancy], operator: Client) -> None:
    d = found[kinds.RENEWAL]
    Discrepancy.objects.filter(pk=d.pk).update(kind=kinds.HOLDER_MOVED)
    assert operator.get(f"/lavoro/{d.pk}/").status_code == 404
    assert operator.post(f"/lavoro/{d.pk}/azione/", {"azione": "prendi"}).status_code == 404


def test_an_action_by_form_is_done_and_logged(
    found: dict[str, Discrepancy], operator: Client
) -> None:
    d = found[kinds.DOMICILE]
    for data in (
        {"azione": "prendi"},
        {"azione": "commenta", "nota": "chiamato il titolare"},
        {"azione": "verifica_domicilio", "entro": (date.today() + timedelta(days=10)).isoformat()},
        {"azione": "esito_verifica", "risultato": "dimora_confermata"},
        {"azione": "assegna", "utente": "admin_anagrafe"},
        {"azione": "risolvi", "esito": "dimora_confermata", "nota": "verificato"},
    ):
        answer = operator.post(f"/lavoro/{d.pk}/azione/", data)
        assert answer.status_code == 302 and answer["Location"] == f"/lavoro/{d.pk}/"
        assert _last()["query"]["azione"] == data["azione"], data
    d.refresh_from_db()
    assert (d.status, d.outcome) == (kinds.RESOLVED, "Dimora abituale confermata")
    assert d.assigned_to.username == "admin_anagrafe"  # type: ignore[union-attr]
    assert _last()["role"] == roles.REGISTRY_OPERATOR


def test_a_refused_action_says_why_and_changes_nothing(
    found: dict[str, Discrepancy], operator: Client
) -> None:
    d = found[kinds.DOMICILE]
    entries = LogEntry.objects.filter(action=logged.QUEUE).count()
    answer = operator.post(
        f"/lavoro/{d.pk}/azione/", {"azione": "risolvi", "esito": ""}, follow=True
    )
    assert "not one of the configured outcomes" in answer.content.decode()
    assert LogEntry.objects.filter(action=logged.QUEUE).count() == entries
    # Assigning to someone of another office (the Questura's consultant) is refused too.
    operator.post(f"/lavoro/{d.pk}/azione/", {"azione": "assegna", "utente": "agente"})
    d.refresh_from_db()
    assert d.assigned_to is None


def test_link_rejected_then_confirmed_from_the_page(
    found: dict[str, Discrepancy], operator: Client
) -> None:
    d = found[kinds.RENEWAL]
    operator.post(
        f"/lavoro/{d.pk}/azione/", {"azione": "respingi_collegamento", "motivo": "omonimo"}
    )
    assert Link.objects.get(permit_number=d.permit_number).status == Link.REJECTED
    page = operator.get(f"/lavoro/{d.pk}/")
    assert "conferma_collegamento" in page.context["offered"]
    assert "respingi_collegamento" not in page.context["offered"]
    operator.post(f"/lavoro/{d.pk}/azione/", {"azione": "conferma_collegamento"})
    assert Link.objects.get(permit_number=d.permit_number).status == Link.CONFIRMED


def test_a_bulk_action_shows_the_count_then_acts_on_all(
    found: dict[str, Discrepancy], operator: Client
) -> None:
    query = "circoscrizione=7"
    asked = operator.post("/lavoro/gruppo/", {"azione": "prendi", "query": query})
    assert asked.status_code == 200 and asked.context["count"] == 4
    assert not Discrepancy.objects.filter(status=kinds.IN_REVIEW).exists()  # not yet
    ids = [str(i) for i in asked.context["ids"]]
    done = operator.post(
        "/lavoro/gruppo/", {"azione": "prendi", "query": query, "conferma": "1", "id": ids}
    )
    assert done.status_code == 302 and done["Location"] == f"/lavoro/?{query}"
    assert Discrepancy.objects.filter(status=kinds.IN_REVIEW).count() == 4
    assert _last()["query"]["gruppo"] == 4


def test_a_bulk_action_refuses_an_empty_or_too_large_set(
    found: dict[str, Discrepancy], operator: Client, settings: Any
) -> None:
    empty = operator.post("/lavoro/gruppo/", {"azione": "prendi", "query": "circoscrizione=3"})
    assert empty.context["count"] == 0 and "niente da fare" in empty.content.decode()
    settings.QUEUE_BULK_MAX = 2
    many = operator.post("/lavoro/gruppo/", {"azione": "prendi", "query": ""})
    assert many.context["too_many"] and "Restringere i filtri" in many.content.decode()
    ids = [str(d.pk) for d in found.values()]
    refused = operator.post(
        "/lavoro/gruppo/", {"azione": "prendi", "conferma": "1", "id": ids}, follow=True
    )
    assert "more than the 2" in refused.content.decode()
    assert not Discrepancy.objects.filter(status=kinds.IN_REVIEW).exists()


def test_the_actions_need_the_csrf_token(found: dict[str, Discrepancy]) -> None:
    client = Client(enforce_csrf_checks=True)
    login_with_csrf = Client()
    login(login_with_csrf, "operatore")
    client.cookies = login_with_csrf.cookies
    d = found[kinds.DOMICILE]
    assert client.post(f"/lavoro/{d.pk}/azione/", {"azione": "prendi"}).status_code == 403
    assert client.post("/lavoro/gruppo/", {"azione": "prendi"}).status_code == 403
    page = client.get(f"/lavoro/{d.pk}/")
    token = page.context["csrf_token"]
    answer = client.post(
        f"/lavoro/{d.pk}/azione/", {"azione": "prendi", "csrfmiddlewaretoken": str(token)}
    )
    assert answer.status_code == 302
    d.refresh_from_db()
    assert d.status == kinds.IN_REVIEW


def test_a_questura_works_its_own_kinds_of_discrepancy(
    found: dict[str, Discrepancy], settings: Any
) -> None:
    from interscambio.reconciliation.models import Run

    user = portal_world._user("ui_operatore")
    rules.grant(
        user,
        Office.objects.get(code="UI-TO"),
        roles.QUESTURA_OPERATOR,
        since=portal_world.START,
        until=portal_world.END,
        by="test",
    )
    settings.NODE_ROLE, settings.NODE_ID = "questura", "TO"
    run = Run.objects.create(trigger=Run.ON_DEMAND, reference_date=queue_world.TODAY)
    moved = Discrepancy.objects.create(
        kind=kinds.HOLDER_MOVED,
        key=f"{kinds.HOLDER_MOVED}:R0001",
        severity=kinds.LOW,
        registry_id="R0001",
        summary="Il titolare R0001 ha cambiato indirizzo",
        rule="variazione_indirizzo",
        run=run,
    )
    client = Client()
    login(client, "ui_operatore")
    assert _listed(client) == [moved.pk]  # not the Comune's kinds
    assert client.get(f"/lavoro/{found[kinds.RENEWAL].pk}/").status_code == 404
    assert client.get(f"/lavoro/{moved.pk}/").status_code == 200
    client.post(f"/lavoro/{moved.pk}/azione/", {"azione": "prendi"})
    moved.refresh_from_db()
    assert moved.status == kinds.IN_REVIEW
    assert _last()["role"] == roles.QUESTURA_OPERATOR
    registry = Client()
    login(registry, "operatore")
    assert registry.get("/lavoro/").status_code == 403


def test_a_questura_sees_the_registry_flow_beside_its_own_permit(
    found: dict[str, Discrepancy], settings: Any
) -> None:
    from interscambio.exchange.models import ReceivedRegistryEvent
    from interscambio.permits.models import Permit
    from interscambio.reconciliation.models import Run

    rules.grant(
        portal_world._user("ui_operatore"), Office.objects.get(code="UI-TO"),
        roles.QUESTURA_OPERATOR, since=portal_world.START, until=portal_world.END, by="test",
    )  # fmt: skip
    settings.NODE_ROLE, settings.NODE_ID = "questura", "TO"
    Permit.objects.create(
        number="P9", kind="PS", reason="lavoro_subordinato", channel="kit_postale",
        application_date=date(2025, 11, 1), issue_date=date(2026, 1, 10),
        expiry_date=date(2028, 1, 10), status="consegnato", holder_cui="C9",
        surname="OKAFOR", given_names="CHUKWU", sex="M", birth_date=date(1979, 9, 9),
        citizenship="NGA", domicile_address="VIA GARIBALDI 10", domicile_comune="TORINO",
        domicile_comune_code="001272",
    )  # fmt: skip
    ReceivedRegistryEvent.objects.create(
        flow_id=1, line=2, record_id="E1", kind="variazione", reason_code="cambio_indirizzo",
        date=date(2026, 10, 5), registry_id="R0009", codice_fiscale="", surname="OKAFOR",
        given_names="CHUKWU", sex="M", birth_date=date(1979, 9, 9), birth_place="",
        birth_place_code="Z335", citizenships="NGA", street_code="00102",
        address="CORSO REGINA MARGHERITA 5", title_number="P9",
    )  # fmt: skip
    moved = Discrepancy.objects.create(
        kind=kinds.HOLDER_MOVED, key=f"{kinds.HOLDER_MOVED}:R0009", severity=kinds.LOW,
        registry_id="R0009", permit_number="P9", summary="Il titolare R0009 ha cambiato indirizzo",
        rule="variazione_indirizzo",
        run=Run.objects.create(trigger=Run.ON_DEMAND, reference_date=queue_world.TODAY),
    )  # fmt: skip
    client = Client()
    login(client, "ui_operatore")
    page = client.get(f"/lavoro/{moved.pk}/")
    assert page.status_code == 200
    by_field = {row.key: row for row in page.context["rows"]}
    address = by_field["indirizzo"]
    assert (address.registry, address.permit, address.differs) == (
        "CORSO REGINA MARGHERITA 5", "VIA GARIBALDI 10", True,
    )  # fmt: skip
    assert by_field["cognome"].differs is False and by_field["cognome"].permit == "OKAFOR"
