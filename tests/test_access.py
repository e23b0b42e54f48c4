# SPDX-License-Identifier: EUPL-1.2
"""Offices, the agreement and authorizations: who may act in which role, until when, logged."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from interscambio.access import fields, roles, rules
from interscambio.access.models import Agreement, Authorization, Office
from interscambio.audit.models import LogEntry
from interscambio.exchange.trust import init_keys

START, END = date(2025, 10, 15), date(2028, 10, 14)


@pytest.fixture
def offices(settings: Any, tmp_path: Path, db: None) -> dict[str, Office]:
    settings.DATA_DIR = tmp_path
    init_keys()
    made = {
        kind: Office.objects.create(code=code, name=name, kind=kind)
        for kind, code, name in (
            (roles.REGISTRY_OFFICE, "ANA-TO", "Anagrafe di Torino"),
            (roles.IMMIGRATION_OFFICE, "UI-TO", "Ufficio Immigrazione di Torino"),
            (roles.PREFETTURA, "PREF-TO", "Prefettura di Torino"),
            (roles.OTHER, "INPS-TO", "INPS Torino"),
        )
    }
    agreement = Agreement.objects.create(title="Protocollo Comune-Questura", start=START, end=END)
    agreement.offices.set([made[roles.IMMIGRATION_OFFICE], made[roles.PREFETTURA]])
    return made


def user(name: str) -> Any:
    return get_user_model().objects.create(username=name)


def test_an_authorization_holds_from_its_first_day_to_its_expiry(
    offices: dict[str, Office],
) -> None:
    clerk = user("anna")
    rules.grant(
        clerk,
        offices[roles.REGISTRY_OFFICE],
        roles.REGISTRY_OPERATOR,
        since=date(2026, 1, 1),
        until=date(2026, 12, 31),
        by="admin",
    )
    assert rules.may(clerk, roles.REGISTRY_OPERATOR, date(2025, 12, 31)) is None
    assert rules.may(clerk, roles.REGISTRY_OPERATOR, date(2026, 12, 31)) is not None
    assert rules.may(clerk, roles.REGISTRY_OPERATOR, date(2027, 1, 1)) is None
    assert rules.may(clerk, roles.REGISTRY_ADMIN, date(2026, 6, 1)) is None


def test_the_agreement_ending_ends_the_access_that_rests_on_it(offices: dict[str, Office]) -> None:
    agent, clerk = user("agente"), user("anna")
    rules.grant(
        agent,
        offices[roles.IMMIGRATION_OFFICE],
        roles.QUESTURA_CONSULTANT,
        since=START,
        until=date(2030, 1, 1),
        by="admin",
    )
    rules.grant(
        clerk,
        offices[roles.REGISTRY_OFFICE],
        roles.REGISTRY_OPERATOR,
        since=START,
        until=date(2030, 1, 1),
        by="admin",
    )
    assert rules.may(agent, roles.QUESTURA_CONSULTANT, END) is not None
    after = date(2028, 10, 15)
    assert rules.may(agent, roles.QUESTURA_CONSULTANT, after) is None
    assert rules.may(clerk, roles.REGISTRY_OPERATOR, after) is not None  # the Comune's own staff
    renewed = Agreement.objects.create(title="Rinnovo", start=after, end=date(2031, 10, 14))
    renewed.offices.set([offices[roles.IMMIGRATION_OFFICE]])
    assert rules.may(agent, roles.QUESTURA_CONSULTANT, after) is not None


def test_an_office_not_covered_gets_no_access_from_an_authorization(
    offices: dict[str, Office],
) -> None:
    verifier = user("inps")
    rules.grant(verifier, offices[roles.OTHER], roles.VERIFIER, since=START, until=END, by="admin")
    assert rules.may(verifier, roles.VERIFIER, date(2026, 1, 1)) is None


def test_a_role_for_another_kind_of_office_is_refused(offices: dict[str, Office]) -> None:
    with pytest.raises(rules.AccessError, match="not for an office"):
        rules.grant(user("x"), offices[roles.OTHER], roles.QUESTURA_CONSULTANT, until=END, by="a")
    with pytest.raises(rules.AccessError, match="before the first day"):
        rules.grant(
            user("y"),
            offices[roles.REGISTRY_OFFICE],
            roles.REGISTRY_OPERATOR,
            since=END,
            until=START,
            by="a",
        )


def test_granting_and_revoking_are_in_the_access_log(offices: dict[str, Office]) -> None:
    agent = user("agente")
    granted = rules.grant(
        agent,
        offices[roles.IMMIGRATION_OFFICE],
        roles.QUESTURA_CONSULTANT,
        since=START,
        until=END,
        by="admin",
    )
    rules.revoke(granted, by="admin", reason="trasferito")
    assert rules.may(agent, roles.QUESTURA_CONSULTANT, date(2026, 1, 1)) is None
    logged = list(LogEntry.objects.values_list("action", "user", "role"))
    assert logged == [
        ("autorizzazione_concessa", "admin", roles.QUESTURA_CONSULTANT),
        ("autorizzazione_revocata", "admin", roles.QUESTURA_CONSULTANT),
    ]
    with pytest.raises(rules.AccessError, match="already revoked"):
        rules.revoke(granted, by="admin", reason="di nuovo")


def test_each_role_sees_only_its_fields() -> None:
    person = {
        "codice_fiscale": "X",
        "cognome": "DIALLO",
        "indirizzo": "VIA GARIBALDI 10",
        "famiglia_dettaglio": [],
        "famiglia_componenti": [],
        "residente": True,
        "permesso_valido": True,
    }
    assert set(fields.visible(roles.VERIFIER, person)) == {"residente", "permesso_valido"}
    consultant = fields.visible(roles.QUESTURA_CONSULTANT, person)
    assert "famiglia_dettaglio" not in consultant and consultant["cognome"] == "DIALLO"
    assert fields.visible(roles.PREFETTURA_SUPERVISOR, person) == {}
    assert fields.visible("sconosciuto", person) == {}
    assert set(fields.POLICY) == set(roles.ROLES)


def test_the_command_grants_lists_and_revokes(
    offices: dict[str, Office], capsys: pytest.CaptureFixture[str]
) -> None:
    call_command(
        "access",
        "grant",
        "agente",
        "--office",
        "UI-TO",
        "--role",
        roles.QUESTURA_CONSULTANT,
        "--until",
        "2027-01-01",
        "--by",
        "admin",
    )
    made = Authorization.objects.get(user__username="agente")
    assert f"authorization {made.pk}:" in capsys.readouterr().out
    call_command("access", "list", "--date", "2026-06-01")
    assert "agente" in capsys.readouterr().out
    call_command("access", "revoke", str(made.pk), "--by", "admin", "--reason", "fine incarico")
    made.refresh_from_db()
    assert made.revoked_at is not None and made.revocation_reason == "fine incarico"
    with pytest.raises(CommandError, match="no such office"):
        call_command(
            "access",
            "grant",
            "x",
            "--office",
            "NOPE",
            "--role",
            roles.VERIFIER,
            "--until",
            "2027-01-01",
            "--by",
            "admin",
        )
