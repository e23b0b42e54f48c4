# SPDX-License-Identifier: EUPL-1.2
"""The consultation and verification APIs: client assertion bound to the office's key,
anti-replay, tracking evidence, purpose and field policy, the yes/no answer, the rate limit,
RFC 7807 errors, and each call in the access log."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from interscambio.access import rules
from interscambio.access.models import Agreement, ApiClient
from interscambio.api.models import CallCount, SeenAssertion
from interscambio.audit import actions
from interscambio.audit.models import LogEntry
from interscambio.core.trust import client_assertion
from interscambio.core.trust.tokens import tracking_evidence
from tests import portal_world
from tests.portal_world import api_headers

SEARCH, VERIFY = "/api/v1/consultazione/ricerca", "/api/v1/verifica"
WHY = {"finalita": "rinnovo_permesso", "riferimento_pratica": "PRAT/2026/0042"}


def post(path: str, data: dict[str, Any], headers: dict[str, str]) -> Any:
    return Client().post(path, data, content_type="application/json", headers=headers)


def consult(world: portal_world.World, data: dict[str, Any], office: str = "UI-TO") -> Any:
    return post(SEARCH, data, api_headers(world.keys[office], "agente.rossi"))


def test_a_consultation_returns_the_policy_fields_and_is_logged(world: portal_world.World) -> None:
    response = consult(world, {**WHY, "codice_fiscale": "BNNMHM85C12Z330T"})
    assert response.status_code == 200, response.content
    (found,) = response.json()["risultati"]
    assert found["id_anagrafe"] == "R0001" and found["cognome"] == "BENNANI"
    entry = LogEntry.objects.filter(action=actions.SEARCH).get().entry
    assert entry["user"] == "agente.rossi" and entry["office"] == "Ufficio Immigrazione di Torino"
    assert entry["records"] == ["residente:R0001"] and entry["case"] == "PRAT/2026/0042"
    person = Client().get(
        "/api/v1/consultazione/persone/R0001",
        WHY,
        headers=api_headers(world.keys["UI-TO"], "agente.rossi"),
    )
    assert person.status_code == 200
    shown = person.json()["persona"]
    assert shown["indirizzo"] == "CORSO REGINA MARGHERITA 12"
    assert "famiglia_dettaglio" not in shown and shown["famiglia_componenti"]


@pytest.mark.parametrize(
    "data, field",
    [
        ({"codice_fiscale": "BNNMHM85C12Z330T"}, "finalita"),
        ({**WHY, "riferimento_pratica": "", "codice_fiscale": "BNNMHM85C12Z330T"}, "riferimento"),
        ({**WHY, "finalita": "curiosita", "codice_fiscale": "BNNMHM85C12Z330T"}, "finalita"),
        ({**WHY, "codice_fiscale": "BNN"}, "codice_fiscale"),
        ({**WHY, "cognome": "BENNANI", "nome": "MOHAMMED"}, "data_nascita"),
        ({**WHY, "cognome": "BENNANI", "nome": 7, "data_nascita": "1985-03-12"}, "nome"),
    ],
)
def test_a_bad_consultation_is_a_problem_naming_the_field(
    world: portal_world.World, data: dict[str, Any], field: str
) -> None:
    response = consult(world, data)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"].startswith(field)
    assert not LogEntry.objects.filter(action=actions.SEARCH).exists()


def test_a_consultation_needs_the_end_users_identity(world: portal_world.World) -> None:
    response = post(
        SEARCH, {**WHY, "codice_fiscale": "BNNMHM85C12Z330T"}, api_headers(world.keys["UI-TO"])
    )
    assert response.status_code == 401 and "TrackingEvidence" in response.json()["detail"]


def test_tracking_evidence_must_be_the_one_the_assertion_names(world: portal_world.World) -> None:
    key = world.keys["UI-TO"]
    other = tracking_evidence(key, "001272", "qualcun.altro")
    headers = api_headers(key, "agente.rossi")
    headers["Agid-JWT-TrackingEvidence"] = other
    response = post(SEARCH, {**WHY, "codice_fiscale": "BNNMHM85C12Z330T"}, headers)
    assert response.status_code == 401 and "audit_digest" in response.json()["detail"]


def test_a_replayed_assertion_is_refused(world: portal_world.World) -> None:
    headers = api_headers(world.keys["UI-TO"], "agente.rossi")
    data = {**WHY, "codice_fiscale": "BNNMHM85C12Z330T"}
    assert post(SEARCH, data, headers).status_code == 200
    again = post(SEARCH, data, headers)
    assert again.status_code == 401 and "replay" in again.json()["detail"]


def test_an_unregistered_key_a_wrong_audience_and_an_old_token_are_refused(
    world: portal_world.World,
) -> None:
    from interscambio.core.trust import generate_identity, load_identity

    stranger = load_identity(*generate_identity("UI-XX", "Sconosciuto"))
    data = {**WHY, "codice_fiscale": "BNNMHM85C12Z330T"}
    assert consult(world, data, "UI-TO").status_code == 200
    assert post(SEARCH, data, api_headers(stranger, "x")).status_code == 401
    assert post(SEARCH, data, api_headers(world.keys["UI-TO"], "x", "009999")).status_code == 401
    old = timezone.now() - timedelta(hours=1)
    token = client_assertion(world.keys["INPS-TO"], "001272", now=old)
    response = post(
        VERIFY,
        {"codice_fiscale": "BNNMHM85C12Z330T", "data": "2025-06-01"},
        {"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 401 and "expired" in response.json()["detail"]


def test_an_office_outside_the_agreement_is_forbidden(world: portal_world.World) -> None:
    response = consult(world, {**WHY, "codice_fiscale": "BNNMHM85C12Z330T"}, "UI-MI")
    assert response.status_code == 403 and "agreement" in response.json()["detail"]
    Agreement.objects.update(end=timezone.localdate() - timedelta(days=1))
    assert consult(world, {**WHY, "codice_fiscale": "BNNMHM85C12Z330T"}).status_code == 403
    assert not LogEntry.objects.filter(action=actions.SEARCH).exists()


def test_each_client_calls_only_its_own_api(world: portal_world.World) -> None:
    verifier = post(
        SEARCH,
        {**WHY, "codice_fiscale": "BNNMHM85C12Z330T"},
        api_headers(world.keys["INPS-TO"], "x"),
    )
    assert verifier.status_code == 403
    consultant = post(
        VERIFY,
        {"codice_fiscale": "BNNMHM85C12Z330T", "data": "2025-06-01"},
        api_headers(world.keys["UI-TO"]),
    )
    assert consultant.status_code == 403


def verify(world: portal_world.World, code: str, day: str) -> Any:
    return post(VERIFY, {"codice_fiscale": code, "data": day}, api_headers(world.keys["INPS-TO"]))


def test_verification_answers_yes_or_no_and_nothing_else(world: portal_world.World) -> None:
    covered = verify(world, "BNNMHM85C12Z330T", "2025-06-01").json()
    assert covered == {
        "residente": True,
        "permesso_valido": True,
        "scadenza_permesso": "2026-02-01",
    }
    expired = verify(world, "BNNMHM85C12Z330T", "2026-06-01").json()
    assert expired == {"residente": True, "permesso_valido": False, "scadenza_permesso": None}
    before = verify(world, "BNNMHM85C12Z330T", "2018-01-01").json()
    assert before["residente"] is False
    eu = verify(world, "KWLDRA90A41Z129Q", "2025-06-01").json()
    assert eu["residente"] is True and eu["permesso_valido"] is None
    unknown = verify(world, "ZZZZZZ80A01Z100Z", "2025-06-01").json()
    assert unknown == {"residente": False, "permesso_valido": None, "scadenza_permesso": None}
    entries = LogEntry.objects.filter(action=actions.VERIFY).order_by("index")
    assert entries.count() == 5
    assert entries.first().entry["records"] == ["residente:R0001"]
    assert entries.first().entry["query"] == {
        "codice_fiscale": "BNNMHM85C12Z330T",
        "data": "2025-06-01",
    }


def test_the_expiry_goes_only_to_a_client_allowed_it(world: portal_world.World) -> None:
    client = world.clients["INPS-TO"]
    client.shows_expiry = False
    client.save()
    answer = verify(world, "BNNMHM85C12Z330T", "2025-06-01").json()
    assert answer == {"residente": True, "permesso_valido": True}


def test_a_renewal_the_questura_reported_counts(world: portal_world.World) -> None:
    from datetime import date

    from interscambio.reconciliation.models import Link, Run
    from tests.test_reconcile_rules import flow_of, permit

    flow = flow_of(
        permit("TO9999", "BENNANI", "MOHAMMED", date(1985, 3, 12), data_scadenza="2028-01-10")
    )
    run = Run.objects.create(trigger=Run.ON_DEMAND, flow=flow, reference_date=date(2026, 1, 1))
    Link.objects.update_or_create(
        permit_number="TO9999",
        defaults={"holder_cui": "CTO9999", "registry_id": "R0001", "rule": "test", "run": run},
    )
    answer = verify(world, "BNNMHM85C12Z330T", "2027-06-01").json()
    assert answer == {"residente": True, "permesso_valido": True, "scadenza_permesso": "2028-01-10"}


def test_a_permit_whose_link_was_rejected_does_not_count(world: portal_world.World) -> None:
    from datetime import date

    from interscambio.reconciliation.models import Link, Run
    from tests.test_reconcile_rules import flow_of, permit

    flow = flow_of(
        permit("TO9998", "BENNANI", "MOHAMED", date(1985, 3, 12), data_scadenza="2028-01-10")
    )
    run = Run.objects.create(trigger=Run.ON_DEMAND, flow=flow, reference_date=date(2026, 1, 1))
    Link.objects.update_or_create(
        permit_number="TO9998",
        defaults={
            "holder_cui": "CTO9998", "registry_id": "R0001", "rule": "test", "run": run,
            "status": Link.REJECTED,
        },
    )  # fmt: skip
    answer = verify(world, "BNNMHM85C12Z330T", "2027-06-01").json()
    assert answer == {"residente": True, "permesso_valido": False, "scadenza_permesso": None}


def test_the_api_passes_the_portals_language_and_login_middleware_over(
    world: portal_world.World,
) -> None:
    answer = verify(world, "BNNMHM85C12Z330T", "2025-06-01")
    assert answer.status_code == 200
    # LocaleMiddleware would name the language and vary on Accept-Language.
    assert "Content-Language" not in answer and "Accept-Language" not in answer.get("Vary", "")
    assert answer["Content-Security-Policy"] and answer["Cache-Control"] == "no-store"
    page = Client().get("/accesso/")
    assert page["Content-Language"] == "it" and "Accept-Language" in page["Vary"]


def test_the_verification_api_is_rate_limited_per_caller(
    world: portal_world.World, settings: Any
) -> None:
    settings.VERIFICATION_CALLS_PER_MINUTE = 3
    codes = [verify(world, "BNNMHM85C12Z330T", "2025-06-01").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = verify(world, "BNNMHM85C12Z330T", "2025-06-01")
    assert int(limited["Retry-After"]) in range(1, 61)
    assert limited["Content-Type"] == "application/problem+json"
    assert LogEntry.objects.filter(action=actions.VERIFY).count() == 3


def test_a_revoked_client_is_forbidden(world: portal_world.World) -> None:
    assert verify(world, "BNNMHM85C12Z330T", "2025-06-01").status_code == 200
    rules.revoke_client(world.clients["INPS-TO"], by="test")
    assert verify(world, "BNNMHM85C12Z330T", "2025-06-01").status_code == 403
    assert LogEntry.objects.filter(action=actions.CLIENT_REVOKED).exists()


def test_the_openapi_description_is_published(world: portal_world.World) -> None:
    spec = Client().get("/api/v1/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert set(spec["paths"]) == {
        "/api/v1/consultazione/ricerca",
        "/api/v1/consultazione/persone/{registry_id}",
        "/api/v1/verifica",
    }
    enum = spec["paths"]["/api/v1/consultazione/ricerca"]["post"]["requestBody"]["content"][
        "application/json"
    ]["schema"]["properties"]["finalita"]["enum"]
    assert "rinnovo_permesso" in enum


def test_expired_assertions_are_forgotten(world: portal_world.World) -> None:
    from interscambio.api import clients
    from interscambio.api.models import SeenAssertion

    SeenAssertion.objects.create(
        client_id="INPS-TO", jti="vecchio", expires=timezone.now() - timedelta(hours=1)
    )
    clients._swept[0] = 0.0
    assert verify(world, "BNNMHM85C12Z330T", "2025-06-01").status_code == 200
    assert not SeenAssertion.objects.filter(jti="vecchio").exists()
    assert SeenAssertion.objects.count() == 1


def test_a_refused_call_leaves_nothing_behind(world: portal_world.World) -> None:
    headers = api_headers(world.keys["INPS-TO"])
    bad = post(VERIFY, {"codice_fiscale": "BNNMHM85C12Z330T", "data": "ieri"}, headers)
    assert bad.status_code == 400 and bad.json()["detail"].startswith("data:")
    assert not SeenAssertion.objects.exists() and not CallCount.objects.exists()
    assert not LogEntry.objects.filter(action=actions.VERIFY).exists()
    # The assertion was not used up: the same call, asked properly, is answered.
    good = post(VERIFY, {"codice_fiscale": "BNNMHM85C12Z330T", "data": "2025-06-01"}, headers)
    assert good.status_code == 200
    assert SeenAssertion.objects.count() == 1


def test_a_call_over_the_limit_uses_up_its_assertion(
    world: portal_world.World, settings: Any
) -> None:
    settings.VERIFICATION_CALLS_PER_MINUTE = 1
    assert verify(world, "BNNMHM85C12Z330T", "2025-06-01").status_code == 200
    headers = api_headers(world.keys["INPS-TO"])
    data = {"codice_fiscale": "BNNMHM85C12Z330T", "data": "2025-06-01"}
    assert post(VERIFY, data, headers).status_code == 429
    settings.VERIFICATION_CALLS_PER_MINUTE = 100
    again = post(VERIFY, data, headers)
    assert again.status_code == 401 and "replay" in again.json()["detail"]
    assert LogEntry.objects.filter(action=actions.VERIFY).count() == 1


def test_a_change_made_by_another_process_reaches_this_one_within_seconds(
    world: portal_world.World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from interscambio.api import clients

    assert verify(world, "BNNMHM85C12Z330T", "2025-06-01").status_code == 200
    # As another worker would revoke it: no signal reaches this process.
    ApiClient.objects.filter(client_id="INPS-TO").update(revoked_at=timezone.now())
    assert verify(world, "BNNMHM85C12Z330T", "2025-06-01").status_code == 200
    later = time.monotonic() + clients.REGISTERED_SECONDS + 1
    monkeypatch.setattr(time, "monotonic", lambda: later)
    assert verify(world, "BNNMHM85C12Z330T", "2025-06-01").status_code == 403
