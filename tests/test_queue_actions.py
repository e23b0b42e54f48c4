# SPDX-License-Identifier: EUPL-1.2
"""The work queue's actions: each one a history row and an access-log entry in the same
transaction, each refusal changing nothing, each undone by a later action, none deleting."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from interscambio.access import roles, rules
from interscambio.access.models import Office
from interscambio.audit import actions as logged
from interscambio.audit.models import LogEntry
from interscambio.reconciliation import kinds
from interscambio.reconciliation.models import Discrepancy, DiscrepancyChange, Link
from interscambio.reconciliation.queue.actions import ActionError, Actor, act, bulk
from interscambio.reconciliation.service import reconcile
from interscambio.registry.models import Resident
from tests.test_reconcile_rules import TODAY, flow_of, node, permit, resident

__all__ = ["node"]  # the fixture, shared with test_reconcile_rules

ANNA = Actor("anna", "Anagrafe di Torino", roles.REGISTRY_OPERATOR)
LATER = TODAY + timedelta(days=20)


@pytest.fixture
def staff(node: None) -> dict[str, Office]:
    """Two operators of Turin's registry office, one of Milan's, and someone without a role."""
    offices = {
        code: Office.objects.create(code=code, name=name, kind=roles.REGISTRY_OFFICE)
        for code, name in (("ANA-TO", "Anagrafe di Torino"), ("ANA-MI", "Anagrafe di Milano"))
    }
    for username, office in (("anna", "ANA-TO"), ("marco", "ANA-TO"), ("lucia", "ANA-MI")):
        user = get_user_model().objects.create_user(username)
        rules.grant(
            user,
            offices[office],
            roles.REGISTRY_OPERATOR,
            since=date(2025, 1, 1),
            until=date(2099, 1, 1),
            by="test",
        )
    get_user_model().objects.create_user("nessuno")
    return offices


@pytest.fixture
def found(staff: dict[str, Office]) -> dict[str, Discrepancy]:
    """R1's renewal proposed, with a different domicile (two discrepancies on permit P1), and
    R2's personal data differing."""
    resident("R1", "EL AMRANI", "YOUSSEF", date(1990, 5, 4), title_number="P0")
    resident("R2", "OKAFOR", "CHIDI", date(1985, 2, 3), title_number="Q1", citizenships=["NGA"])
    flow_of(
        permit(
            "P1",
            "EL AMRANI",
            "YOUSSEF",
            date(1990, 5, 4),
            numero_permesso_precedente="P0",
            domicilio_indirizzo="C.SO REGINA MARGHERITA 5",
        ),
        permit("Q1", "OKAFOR", "CHIDY", date(1985, 2, 3), cittadinanza="NGA"),
    )
    reconcile(today=TODAY)
    return {d.kind: d for d in Discrepancy.objects.all()}


def _actor(found: dict[str, Discrepancy]) -> Actor:
    office = Office.objects.get(code="ANA-TO")
    return Actor(ANNA.username, ANNA.office, ANNA.role, office.pk)


def _last_entry() -> dict[str, Any]:
    return LogEntry.objects.order_by("-index").first().entry  # type: ignore[union-attr]


# action, its parameters, what the history calls the step, the status after it
EACH: list[tuple[str, dict[str, Any], str, str]] = [
    ("prendi", {}, "presa_in_carico", kinds.IN_REVIEW),
    ("risolvi", {"outcome": "dimora_confermata", "note": "sentito"}, "risolta", kinds.RESOLVED),
    ("archivia", {"reason": "doppione di un'altra"}, "archiviata", kinds.DISMISSED),
    ("commenta", {"text": "telefonato, richiamare"}, "commento", kinds.OPEN),
    ("assegna", {"username": "marco"}, "assegnata", kinds.OPEN),
    ("verifica_domicilio", {"due": LATER, "today": TODAY}, "verifica_domicilio", kinds.IN_REVIEW),
    ("conferma_collegamento", {}, "collegamento_confermato", kinds.OPEN),
    ("respingi_collegamento", {"note": "omonimo"}, "collegamento_respinto", kinds.OPEN),
    ("registra_rinnovo", {}, "risolta", kinds.RESOLVED),
]


@pytest.mark.parametrize("action, params, step, status", EACH, ids=[e[0] for e in EACH])
def test_each_action_writes_its_history_and_its_log_entry(
    found: dict[str, Discrepancy], action: str, params: dict[str, Any], step: str, status: str
) -> None:
    d = found[kinds.RENEWAL]
    entries, rows = LogEntry.objects.count(), d.history.count()
    done = act(d, action, _actor(found), **params)
    d.refresh_from_db()
    assert d.status == status
    assert d.history.count() > rows
    assert d.history.last().action == step  # type: ignore[union-attr]
    assert LogEntry.objects.count() == entries + 1
    entry = _last_entry()
    assert entry["action"] == logged.QUEUE and entry["user"] == "anna"
    assert entry["role"] == roles.REGISTRY_OPERATOR and entry["office"] == "Anagrafe di Torino"
    assert entry["query"]["azione"] == action
    assert entry["query"]["storia"] == [r.pk for r in done.rows]
    assert f"discrepanza:{d.pk}" in entry["records"] and "residente:R1" in entry["records"]


def test_the_log_keeps_codes_and_ids_never_the_operators_text(
    found: dict[str, Discrepancy],
) -> None:
    d = found[kinds.DOMICILE]
    act(d, "risolvi", _actor(found), outcome="indirizzo_aggiornato", note="EL AMRANI al telefono")
    entry = _last_entry()
    assert entry["query"]["outcome"] == "indirizzo_aggiornato"
    assert "EL AMRANI" not in str(entry) and "YOUSSEF" not in str(entry)
    d.refresh_from_db()
    assert d.outcome == "Indirizzo aggiornato in anagrafe"
    assert d.history.last().note == "EL AMRANI al telefono"  # type: ignore[union-attr]


def test_taking_one_up_assigns_it_to_who_took_it_and_reopening_undoes_the_state(
    found: dict[str, Discrepancy],
) -> None:
    d = found[kinds.RENEWAL]
    act(d, "prendi", _actor(found))
    assert d.assigned_to.username == "anna"  # type: ignore[union-attr]
    act(d, "riapri", _actor(found), note="non era mia")
    act(d, "assegna", _actor(found), username="")
    d.refresh_from_db()
    assert (d.status, d.assigned_to) == (kinds.OPEN, None)
    steps = [(c.action, c.from_status, c.to_status) for c in d.history.all()]
    assert steps[1:] == [
        ("presa_in_carico", kinds.OPEN, kinds.IN_REVIEW),
        ("riaperta", kinds.IN_REVIEW, kinds.OPEN),
        ("assegnata", kinds.OPEN, kinds.OPEN),
    ]


def test_a_resolved_or_dismissed_one_is_reopened_with_its_history_kept(
    found: dict[str, Discrepancy],
) -> None:
    d = found[kinds.PERSONAL_DATA]
    act(d, "risolvi", _actor(found), outcome="dati_corretti")
    act(d, "riapri", _actor(found), note="i dati non erano corretti")
    act(d, "archivia", _actor(found), reason="errore di battitura della Questura")
    act(d, "riapri", _actor(found))
    d.refresh_from_db()
    assert (d.status, d.outcome, d.closed) == (kinds.OPEN, "", None)
    assert [c.to_status for c in d.history.all()] == [
        kinds.OPEN, kinds.RESOLVED, kinds.OPEN, kinds.DISMISSED, kinds.OPEN
    ]  # fmt: skip


REFUSED: list[tuple[str, dict[str, Any], str]] = [
    ("risolvi", {"outcome": "a_caso"}, "not one of the configured outcomes"),
    ("archivia", {"reason": "  "}, "reason"),
    ("commenta", {"text": ""}, "comment"),
    ("assegna", {"username": "lucia"}, "does not work the queue for this office"),
    ("assegna", {"username": "nessuno"}, "does not work the queue"),
    ("assegna", {"username": ""}, "assigned to no one already"),
    ("verifica_domicilio", {"due": TODAY - timedelta(days=1), "today": TODAY}, "in the past"),
    ("esito_verifica", {"result": "dimora_confermata"}, "no domicile check is open"),
    ("respingi_collegamento", {"note": ""}, "reason"),
    ("riapri", {}, "cannot become aperta"),
    ("vola", {}, "unknown action"),
]


@pytest.mark.parametrize("action, params, message", REFUSED, ids=[r[2] for r in REFUSED])
def test_a_refused_action_changes_nothing_and_logs_nothing(
    found: dict[str, Discrepancy], action: str, params: dict[str, Any], message: str
) -> None:
    d = found[kinds.RENEWAL]
    entries, rows = LogEntry.objects.count(), DiscrepancyChange.objects.count()
    with pytest.raises(ActionError, match=message) as refused:
        act(d, action, _actor(found), **params)
    if action != "vola":
        assert f"discrepancy {d.pk}" in str(refused.value)
    assert (LogEntry.objects.count(), DiscrepancyChange.objects.count()) == (entries, rows)
    d.refresh_from_db()
    assert (d.status, d.assigned_to) == (kinds.OPEN, None)


def test_an_action_needs_who_does_it(found: dict[str, Discrepancy]) -> None:
    with pytest.raises(ActionError, match="name of who"):
        act(found[kinds.RENEWAL], "prendi", Actor(" "))


def test_a_domicile_check_is_asked_then_answered_and_can_be_asked_again(
    found: dict[str, Discrepancy],
) -> None:
    d = found[kinds.DOMICILE]
    act(d, "verifica_domicilio", _actor(found), due=LATER, note="alla polizia locale", today=TODAY)
    d.refresh_from_db()
    assert (d.status, d.check_due) == (kinds.IN_REVIEW, LATER)
    with pytest.raises(ActionError, match="is open"):
        act(d, "verifica_domicilio", _actor(found), due=LATER, today=TODAY)
    act(d, "esito_verifica", _actor(found), result="non_reperibile")
    d.refresh_from_db()
    assert d.check_due is None
    last = d.history.last()
    assert last.data == {"esito": "non_reperibile", "entro": LATER.isoformat()}  # type: ignore[union-attr]
    act(d, "verifica_domicilio", _actor(found), due=LATER, today=TODAY)
    assert d.check_due == LATER


def test_rejecting_a_link_is_told_on_every_discrepancy_of_the_permit_and_undone_by_confirming(
    found: dict[str, Discrepancy],
) -> None:
    renewal, domicile = found[kinds.RENEWAL], found[kinds.DOMICILE]
    act(renewal, "respingi_collegamento", _actor(found), note="non è lui")
    link = Link.objects.get(permit_number="P1")
    assert link.status == Link.REJECTED
    for d in (renewal, domicile):
        assert d.history.last().action == "collegamento_respinto"  # type: ignore[union-attr]
    assert f"collegamento:{link.pk}" in _last_entry()["records"]
    with pytest.raises(ActionError, match="rejected"):
        act(renewal, "registra_rinnovo", _actor(found))
    act(domicile, "conferma_collegamento", _actor(found))
    link.refresh_from_db()
    assert link.status == Link.CONFIRMED
    act(renewal, "registra_rinnovo", _actor(found))
    assert Resident.objects.get(registry_id="R1").title_number == "P1"


def test_a_bulk_action_changes_the_whole_set_with_one_entry(found: dict[str, Discrepancy]) -> None:
    ids = [d.pk for d in found.values()]
    done = bulk(ids, "prendi", _actor(found))
    assert sorted(done.discrepancies) == sorted(ids)
    assert set(Discrepancy.objects.values_list("status", flat=True)) == {kinds.IN_REVIEW}
    entry = _last_entry()
    assert entry["query"]["gruppo"] == len(ids)
    assert {f"discrepanza:{i}" for i in ids} <= set(entry["records"])
    assert {"residente:R1", "residente:R2"} <= set(entry["records"])


def test_a_bulk_action_is_all_or_none(found: dict[str, Discrepancy]) -> None:
    act(found[kinds.DOMICILE], "archivia", _actor(found), reason="già verificata")
    entries = LogEntry.objects.count()
    with pytest.raises(ActionError, match=f"discrepancy {found[kinds.DOMICILE].pk}"):
        bulk([d.pk for d in found.values()], "prendi", _actor(found))
    assert LogEntry.objects.count() == entries
    assert not Discrepancy.objects.filter(status=kinds.IN_REVIEW).exists()


def test_a_bulk_action_refuses_an_empty_or_too_large_set_and_the_links(
    found: dict[str, Discrepancy], settings: Any
) -> None:
    with pytest.raises(ActionError, match="no discrepancy"):
        bulk([], "prendi", _actor(found))
    settings.QUEUE_BULK_MAX = 2
    with pytest.raises(ActionError, match="more than the 2"):
        bulk([d.pk for d in found.values()], "prendi", _actor(found))
    with pytest.raises(ActionError, match="one discrepancy at a time"):
        bulk([found[kinds.RENEWAL].pk], "respingi_collegamento", _actor(found), note="x")
    with pytest.raises(ActionError, match="no discrepancy 999999"):
        bulk([999999], "prendi", _actor(found))


def test_nothing_is_ever_deleted(found: dict[str, Discrepancy]) -> None:
    d = found[kinds.PERSONAL_DATA]
    seen: list[int] = []
    for action, params in (
        ("prendi", {}),
        ("commenta", {"text": "uno"}),
        ("risolvi", {"outcome": "nessuna_azione"}),
        ("riapri", {}),
        ("assegna", {"username": "marco"}),
    ):
        act(d, action, _actor(found), **params)
        now = list(d.history.values_list("pk", flat=True))
        assert now[: len(seen)] == seen
        seen = now
    assert len(seen) == 6


def test_when_the_log_entry_cannot_be_written_the_action_is_undone(
    found: dict[str, Discrepancy], monkeypatch: pytest.MonkeyPatch
) -> None:
    from interscambio.audit import log

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(log, "append", broken)
    d = found[kinds.RENEWAL]
    rows = DiscrepancyChange.objects.count()
    with pytest.raises(RuntimeError):
        act(d, "respingi_collegamento", _actor(found), note="omonimo")
    with pytest.raises(RuntimeError):
        bulk([x.pk for x in found.values()], "prendi", _actor(found))
    assert DiscrepancyChange.objects.count() == rows
    assert Link.objects.get(permit_number="P1").status == Link.AUTOMATIC
    assert set(Discrepancy.objects.values_list("status", flat=True)) == {kinds.OPEN}


def test_the_roles_that_work_the_queue_rest_on_no_agreement() -> None:
    # `steps.assignable` reads authorizations alone, without asking for an agreement in force.
    from interscambio.reconciliation.queue.steps import WORKING

    assert WORKING and not any(roles.ROLES[r].needs_agreement for r in WORKING)


def test_the_sides_show_only_what_the_role_may_see(found: dict[str, Discrepancy]) -> None:
    from interscambio.reconciliation.queue import sides

    d = found[kinds.PERSONAL_DATA]
    shown, registry, permit = sides.compare(d, roles.REGISTRY_OPERATOR)
    assert registry and permit and [r.key for r in shown] == [k for k, _ in sides.FIELDS]
    cognome = next(r for r in shown if r.key == "cognome")
    assert (cognome.registry, cognome.permit, cognome.differs) == ("OKAFOR", "OKAFOR", False)
    nome = next(r for r in shown if r.key == "nome")
    assert (nome.registry, nome.permit, nome.differs) == ("CHIDI", "CHIDY", True)
    assert sides.compare(d, roles.PREFETTURA_SUPERVISOR)[0] == []
