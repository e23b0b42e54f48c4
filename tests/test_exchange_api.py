# SPDX-License-Identifier: EUPL-1.2
"""The flow endpoint: who may call it, what protects the body, and the receipt it answers with."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from interscambio.core.flows.receipt import Receipt
from interscambio.core.trust import (
    TrustList,
    client_assertion,
    digest_of_file,
    generate_identity,
    integrity_token,
    load_identity,
    verify_detached,
)
from interscambio.exchange.importing import file_sha256
from interscambio.exchange.models import ReceivedPermit
from interscambio.exchange.trust import init_keys, node_identity
from tests.flows import Questura, make_partner, month, snapshot, trust

URL = "/api/v1/flussi"
NDJSON = "application/x-ndjson"


@pytest.fixture
def questura(settings: Any, tmp_path: Path, db: None) -> Questura:
    settings.DATA_DIR = tmp_path / "comune"
    settings.NODE_ROLE, settings.NODE_ID, settings.NODE_NAME = "comune", "001272", "Torino"
    init_keys()
    make_partner("TO")
    identity = load_identity(*generate_identity("TO", "Questura di Torino"))
    trust(identity)
    folder = tmp_path / "questura"
    folder.mkdir()
    return Questura(identity, folder)


def post(
    questura: Questura,
    flow: tuple[Path, str] | None = None,
    *,
    audience: str = "001272",
    now: datetime | None = None,
    assertion: str | None = None,
    body: bytes | None = None,
    **headers: str,
) -> Any:
    path, signature = flow or questura.flow()
    digest = digest_of_file(path)
    values = {
        "Authorization": "Bearer "
        + (assertion or client_assertion(questura.identity, audience, now=now)),
        "Digest": digest,
        "Agid-JWT-Signature": integrity_token(
            questura.identity, audience, digest=digest, content_type=NDJSON, now=now
        ),
        "Interscambio-Firma": signature,
    }
    values.update(headers)
    return Client().post(
        URL,
        data=body if body is not None else path.read_bytes(),
        content_type=NDJSON,
        headers=values,
    )


def test_a_signed_flow_is_applied_and_answered_with_a_signed_receipt(questura: Questura) -> None:
    answer = post(questura)
    assert answer.status_code == 200
    signed = verify_detached(
        answer["Interscambio-Firma"], [answer.content], TrustList([node_identity().certificate])
    )
    assert signed.node_id == "001272"
    assert Receipt.from_bytes(answer.content).outcome == "applicato"
    assert ReceivedPermit.objects.count() == 3


def test_a_refused_flow_gets_422_with_the_reasons(questura: Questura) -> None:
    answer = post(questura, questura.flow(receiver="001099"))
    assert answer.status_code == 422
    assert "addressed to '001099'" in (Receipt.from_bytes(answer.content).reason or "")
    assert ReceivedPermit.objects.count() == 0


def test_a_call_without_a_client_assertion_is_unauthorized(questura: Questura) -> None:
    answer = post(questura, Authorization="")
    assert answer.status_code == 401
    assert answer["Content-Type"] == "application/problem+json"
    assert "client assertion is required" in answer.json()["detail"]


def test_a_client_assertion_from_an_untrusted_key_is_unauthorized(questura: Questura) -> None:
    stranger = load_identity(*generate_identity("TO", "Someone else"))
    answer = post(questura, assertion=client_assertion(stranger, "001272"))
    assert answer.status_code == 401
    assert "unknown key" in answer.json()["detail"]


def test_a_token_for_another_node_is_unauthorized(questura: Questura) -> None:
    answer = post(questura, audience="001099")
    assert answer.status_code == 401 and "001099" in answer.json()["detail"]


def test_a_replayed_client_assertion_is_unauthorized(questura: Questura) -> None:
    assertion = client_assertion(questura.identity, "001272")
    assert post(questura, assertion=assertion).status_code == 200
    again = post(questura, assertion=assertion)
    assert again.status_code == 401 and "replay" in again.json()["detail"]


def test_clocks_a_few_minutes_apart_are_accepted_and_far_apart_refused(questura: Questura) -> None:
    ahead = datetime.now(UTC) + timedelta(minutes=3)
    assert post(questura, now=ahead).status_code == 200
    far = datetime.now(UTC) + timedelta(minutes=30)
    answer = post(questura, questura.flow(sequence=2), now=far)
    assert answer.status_code == 401


def test_the_endpoint_holds_partners_to_the_configured_tolerance_ahead_and_behind(
    questura: Questura, settings: Any
) -> None:
    settings.EXCHANGE_CLOCK_TOLERANCE_SECONDS = 120  # narrower than the default 300
    now = datetime.now(UTC)
    # Margins of a minute or more either side of the tolerance, so the test's own run time
    # cannot move a case across it. A token lives 5 minutes from the partner's `iat`.
    first = questura.flow()
    assert post(questura, first, now=now + timedelta(seconds=60)).status_code == 200
    second = questura.flow(sequence=2, period=month(11), previous_hash=file_sha256(first[0]))
    behind = now - timedelta(minutes=6)  # expired 1 minute ago by this node's clock
    assert post(questura, second, now=behind).status_code == 200
    before = snapshot()
    ahead = post(questura, questura.flow(sequence=3), now=now + timedelta(minutes=4))
    assert ahead.status_code == 401
    assert "in the future" in ahead.json()["detail"]
    assert "tolerance 2 min" in ahead.json()["detail"]
    late = post(questura, questura.flow(sequence=3), now=now - timedelta(minutes=8))
    assert late.status_code == 401 and "expired" in late.json()["detail"]
    assert snapshot() == before


def test_a_body_that_does_not_match_its_digest_is_refused(questura: Questura) -> None:
    path, signature = questura.flow()
    altered = path.read_bytes().replace(b"ZHANG", b"ZHENG", 1)
    answer = post(questura, (path, signature), body=altered)
    assert answer.status_code == 400 and "Digest" in answer.json()["detail"]
    assert ReceivedPermit.objects.count() == 0


def test_a_missing_flow_signature_gets_a_negative_receipt(questura: Questura) -> None:
    answer = post(questura, **{"Interscambio-Firma": ""})
    assert answer.status_code == 422
    assert "signature" in (Receipt.from_bytes(answer.content).reason or "")
