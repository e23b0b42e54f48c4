# SPDX-License-Identifier: EUPL-1.2
"""The APIs against their own OpenAPI description: schemathesis generates requests from
/api/v1/openapi.json, sends them to the WSGI application in-process, and checks every answer
(status, media type, body and headers) against the description."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import hypothesis
import pytest
import schemathesis

from interscambio.project.wsgi import application
from tests import portal_world
from tests.portal_world import api_headers

OPENAPI = "/api/v1/openapi.json"
SEARCH, VERIFY = "/api/v1/consultazione/ricerca", "/api/v1/verifica"
PERSON = "/api/v1/consultazione/persone/{registry_id}"
WHY = {"finalita": "rinnovo_permesso", "riferimento_pratica": "PRAT/2026/0042"}
# Fifty generated requests per operation, besides schemathesis's own boundary cases; the world
# is built once per operation and shared by its requests.
FIFTY_PER_OPERATION = hypothesis.settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture],
)
# What the auth provider leaves on a case: which client calls. The assertion is signed just
# before the call, because each one may be used only once and schemathesis builds some cases
# while collecting, before the test's keys exist.
UNSIGNED = "Bearer unsigned:"

# Loaded while collecting, not from a fixture: schemathesis.pytest.from_fixture reads
# `Function._nodeid`, which pytest 9 no longer has. The description depends on no test data.
schema = schemathesis.openapi.from_wsgi(OPENAPI, application)
anonymous = schemathesis.openapi.from_wsgi(
    OPENAPI,
    application,
    # Well-formed requests only: a malformed one may be refused for its method (405) first.
    config=schemathesis.Config.from_dict({"generation": {"mode": "positive"}}),
)


@schema.auth(refresh_interval=None)
class CallingClient:
    """The verifier's client for the verification API, the consultant's for the rest."""

    def get(self, case: schemathesis.Case, ctx: schemathesis.AuthContext) -> str:
        return "INPS-TO" if ctx.operation.path == VERIFY else "UI-TO"

    def set(self, case: schemathesis.Case, data: str, ctx: schemathesis.AuthContext) -> None:
        case.headers = {**(case.headers or {}), "Authorization": UNSIGNED + data}


def signed(case: schemathesis.Case, world: portal_world.World) -> dict[str, str]:
    """Fresh headers by the client the case names; none if schemathesis left auth out."""
    header = (case.headers or {}).get("Authorization", "")
    if not header.startswith(UNSIGNED):
        return {}
    client = header.removeprefix(UNSIGNED)
    user = None if client == "INPS-TO" else "agente.rossi"
    return api_headers(world.keys[client], user)


# Not `db`: after each request the WSGI handler closes the database connection (Django's test
# client stops it doing so), which on PostgreSQL would end the test's transaction with it.
@pytest.fixture
def node(settings: Any, tmp_path: Path, transactional_db: None) -> None:
    settings.DATA_DIR = tmp_path
    settings.NODE_ROLE, settings.NODE_ID = "comune", "001272"
    settings.PASSWORD_HASHERS = portal_world.FAST_HASHERS
    # The rate limit has its own test; here it would only turn answers into 429s.
    settings.VERIFICATION_CALLS_PER_MINUTE = 1_000_000


@pytest.fixture
def world(node: None, tmp_path: Path) -> portal_world.World:
    return portal_world.build(tmp_path)


# All of schemathesis's checks run, none excluded: of the answer (no server error, status code,
# content type, headers, body schema), of the input (a valid request accepted, an invalid one
# refused, a missing header, an unsupported method) and of authentication (enforced); the
# stateful ones have nothing to do on single calls.
@schema.parametrize()
@FIFTY_PER_OPERATION
def test_the_api_answers_as_described(case: schemathesis.Case, world: portal_world.World) -> None:
    case.call_and_validate(headers=signed(case, world))


# Generated requests seldom name someone who lives here; these do, so that the answers with
# data are checked against the description too, and so is refusing them without credentials.
@pytest.mark.parametrize(
    "method, path, request_data",
    [
        pytest.param(
            "POST", SEARCH, {"body": {**WHY, "codice_fiscale": "BNNMHM85C12Z330T"}}, id="code"
        ),
        pytest.param(
            "POST",
            SEARCH,
            {"body": {**WHY, "cognome": "Bennani", "nome": "Fatima", "data_nascita": "1988-04-12"}},
            id="names",
        ),
        pytest.param(
            "GET", PERSON, {"path_parameters": {"registry_id": "R0001"}, "query": WHY}, id="person"
        ),
        *(
            pytest.param("POST", VERIFY, {"body": {"codice_fiscale": code, "data": day}}, id=why)
            for code, day, why in (
                ("BNNMHM85C12Z330T", "2025-06-01", "permit-valid"),
                ("BNNMHM85C12Z330T", "2026-06-01", "permit-expired"),
                ("KWLDRA90A41Z129Q", "2025-06-01", "no-permit-needed"),
                ("ZZZZZZ80A01Z100Z", "2025-06-01", "unknown"),
            )
        ),
    ],
)
def test_the_answers_about_residents_are_as_described(
    world: portal_world.World, method: str, path: str, request_data: dict[str, Any]
) -> None:
    operation = schema[path][method]
    if "body" in request_data:
        request_data = {**request_data, "media_type": "application/json"}
    case = operation.Case(**request_data)
    schema.auth.set(case, schemathesis.AuthContext(operation=operation, app=application))
    response = case.call_and_validate(headers=signed(case, world))
    assert response.status_code == 200, response.text


# schemathesis also makes up credentials for the declared schemes: refused the same way.
@anonymous.parametrize()
@FIFTY_PER_OPERATION
def test_without_a_client_assertion_every_operation_answers_401(
    case: schemathesis.Case, node: None
) -> None:
    response = case.call_and_validate()
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == ["application/problem+json"]
    assert response.json()["status"] == 401
    assert response.headers["www-authenticate"] == ['Bearer error="invalid_token"']
