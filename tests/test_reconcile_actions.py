# SPDX-License-Identifier: EUPL-1.2
"""Acting on discrepancies: every action kept in the history, none deleting, each reversible."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from interscambio.access import roles, rules
from interscambio.access.models import Office
from interscambio.audit import actions
from interscambio.audit.models import LogEntry
from interscambio.reconciliation import kinds
from interscambio.reconciliation.actions import ActionError, change, record_renewal
from interscambio.reconciliation.models import Discrepancy
from interscambio.reconciliation.service import reconcile
from interscambio.registry.models import Resident
from tests.test_reconcile_rules import TODAY, flow_of, node, permit, resident

__all__ = ["node"]  # the fixture, shared with test_reconcile_rules


@pytest.fixture
def proposed(node: None) -> Discrepancy:
    resident("R1", "EL AMRANI", "YOUSSEF", date(1990, 5, 4), title_number="P0")
    flow_of(permit("P1", "EL AMRANI", "YOUSSEF", date(1990, 5, 4), numero_permesso_precedente="P0"))
    reconcile(today=TODAY)
    return Discrepancy.objects.get(kind=kinds.RENEWAL)


def test_take_resolve_reopen_and_dismiss_are_each_kept(proposed: Discrepancy) -> None:
    change(proposed, kinds.IN_REVIEW, actor="anna.operatrice")
    change(proposed, kinds.RESOLVED, actor="anna.operatrice", note="verificato allo sportello")
    assert proposed.closed is not None and proposed.outcome == "verificato allo sportello"
    change(proposed, kinds.OPEN, actor="marco.supervisore", note="esito da rivedere")
    change(proposed, kinds.DISMISSED, actor="marco.supervisore", note="duplicato")
    steps = [(c.actor, c.from_status, c.to_status) for c in proposed.history.all()]
    assert steps == [
        ("riconciliazione", "", kinds.OPEN),
        ("anna.operatrice", kinds.OPEN, kinds.IN_REVIEW),
        ("anna.operatrice", kinds.IN_REVIEW, kinds.RESOLVED),
        ("marco.supervisore", kinds.RESOLVED, kinds.OPEN),
        ("marco.supervisore", kinds.OPEN, kinds.DISMISSED),
    ]


def test_an_action_needs_who_and_why_and_a_possible_transition(proposed: Discrepancy) -> None:
    with pytest.raises(ActionError, match="name of who"):
        change(proposed, kinds.IN_REVIEW, actor=" ")
    with pytest.raises(ActionError, match="say why"):
        change(proposed, kinds.DISMISSED, actor="anna")
    with pytest.raises(ActionError, match="cannot become"):
        change(proposed, kinds.OPEN, actor="anna")
    assert proposed.history.count() == 1


def test_a_proposed_renewal_is_recorded_by_an_operator(proposed: Discrepancy) -> None:
    record_renewal(proposed, actor="anna.operatrice", today=date(2026, 11, 3))
    person = Resident.objects.get(registry_id="R1")
    assert person.title_number == "P1" and person.dwelling_declaration_date == date(2026, 11, 3)
    event = person.events.get()
    assert event.changes["fonte"]["regola"] == "operatore:anna.operatrice"
    proposed.refresh_from_db()
    assert (proposed.status, proposed.outcome) == (kinds.RESOLVED, "rinnovo registrato in anagrafe")
    with pytest.raises(ActionError, match="not a renewal waiting"):
        record_renewal(proposed, actor="anna.operatrice")


def test_the_command_lists_shows_and_acts_as_an_authorized_user_in_the_log(
    proposed: Discrepancy, capsys: pytest.CaptureFixture[str]
) -> None:
    office = Office.objects.create(code="ANA-TO", name="Anagrafe di Torino", kind="anagrafe")
    rules.grant(
        get_user_model().objects.create_user("anna"), office, roles.REGISTRY_OPERATOR,
        since=date(2025, 1, 1), until=date(2099, 1, 1), by="test",
    )  # fmt: skip
    call_command("discrepancies", "list", "--json")
    listed = json.loads(capsys.readouterr().out)
    assert [d["id"] for d in listed] == [proposed.pk]
    call_command("discrepancies", "take", str(proposed.pk), "--by", "anna")
    assert "in_esame, assigned to anna" in capsys.readouterr().out
    call_command("discrepancies", "comment", str(proposed.pk), "--by", "anna", "--text", "visto")
    call_command("discrepancies", "show", str(proposed.pk))
    shown = json.loads(capsys.readouterr().out.split("\n", 1)[1])
    assert [h["to"] for h in shown["history"]] == [kinds.OPEN, kinds.IN_REVIEW, kinds.IN_REVIEW]
    assert shown["history"][-1]["note"] == "visto"
    assert shown["evidence"]["permesso"]["numeroPermesso"] == "P1"
    entries = LogEntry.objects.filter(action=actions.QUEUE).order_by("index")
    assert [(e.user, e.office, e.role, e.entry["query"]["azione"]) for e in entries] == [
        ("anna", "Anagrafe di Torino", roles.REGISTRY_OPERATOR, "prendi"),
        ("anna", "Anagrafe di Torino", roles.REGISTRY_OPERATOR, "commenta"),
    ]
    assert "visto" not in json.dumps([e.entry for e in entries])  # free text: history only
    with pytest.raises(CommandError, match="reason"):
        call_command("discrepancies", "dismiss", str(proposed.pk), "--by", "anna", "--reason", "")
    with pytest.raises(CommandError, match="not one of the configured outcomes"):
        call_command(
            "discrepancies", "resolve", str(proposed.pk), "--by", "anna", "--outcome", "fatto"
        )
    with pytest.raises(CommandError, match="no authorization in force today"):
        get_user_model().objects.create_user("piero")
        call_command("discrepancies", "take", str(proposed.pk), "--by", "piero")
    with pytest.raises(CommandError, match="no discrepancy 999"):
        call_command("discrepancies", "show", "999")
    assert entries.count() == 2  # the refusals left nothing
