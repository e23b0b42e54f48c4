# SPDX-License-Identifier: EUPL-1.2
"""Every route of the project, walked as anonymous and as each role: who gets what.

The routes come from the URL configuration, so a new one is walked without editing this file:
anonymous must be refused it unless it is listed as public here, and a portal page declares
its roles (`acting.requires`), which the walk holds it to. The pages and APIs known today have
their expectations written out below, independently of what the views declare.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests import portal_world
from tests.portal_world import PEOPLE, api_headers, login

SAMPLE = {"registry_id": "R0001", "object_id": "1", "app_label": "auth", "content_type_id": "1"}
PUBLIC = {
    "portal:home",
    "portal:privacy",
    "portal:login",
    "security-txt",
    "api-openapi",
    "admin:login",
    "healthz",
    "readyz",
    "metrics",  # to loopback only, as the test client is (tests/test_operations.py)
}
USERS = [*PEOPLE, portal_world.NOBODY, portal_world.EXPIRED]
# GET as each logged-in user: the status each gets; users not named get `other`.
PAGES: dict[str, tuple[dict[str, int], int]] = {
    "portal:home": ({}, 200),
    "admin:login": ({}, 200),
    "portal:privacy": ({}, 200),
    "portal:login": ({}, 200),
    "security-txt": ({}, 200),
    "portal:second-factor": ({}, 302),
    "portal:enroll": ({}, 302),
    "portal:logout": ({}, 302),
    "portal:search": ({"admin_anagrafe": 200, "operatore": 200, "agente": 200}, 403),
    # Object level: a person page opens only from a search with a purpose, for anyone.
    "portal:person": ({}, 403),
    # The same for a pre-filled application; the Questura's consultant is refused it anyway.
    "portal:prefill": ({}, 403),
    "portal:log": ({"supervisore": 200, "admin_anagrafe": 200}, 403),
    "portal:anomalies": ({"supervisore": 200, "admin_anagrafe": 200}, 403),
    "portal:log-export": ({"supervisore": 200, "admin_anagrafe": 200}, 403),
    "portal:exchange": ({"supervisore": 200, "admin_anagrafe": 200}, 403),
    "portal:report": ({"supervisore": 200, "admin_anagrafe": 200}, 403),
    # The work queue: the Comune's registry staff; no discrepancy 1 in this world, and the
    # actions are POST only.
    "portal:queue": ({"admin_anagrafe": 200, "operatore": 200}, 403),
    "portal:queue-detail": ({"admin_anagrafe": 404, "operatore": 404}, 403),
    "portal:queue-act": ({"admin_anagrafe": 405, "operatore": 405}, 403),
    "portal:queue-bulk": ({"admin_anagrafe": 405, "operatore": 405}, 403),
    "set_language": ({}, 302),
    "api-openapi": ({}, 200),
    "healthz": ({}, 200),
    "readyz": ({}, 200),
    "metrics": ({}, 200),
}
# The API routes: method, and for each registered client the status (others: 403).
APIS: dict[str, tuple[str, dict[str, Any], dict[str, int]]] = {
    "api-search": (
        "post",
        {
            "finalita": "rinnovo_permesso",
            "riferimento_pratica": "P-1",
            "codice_fiscale": "BNNMHM85C12Z330T",
        },
        {"UI-TO": 200},
    ),
    "api-person": (
        "get",
        {"finalita": "rinnovo_permesso", "riferimento_pratica": "P-1"},
        {"UI-TO": 200},
    ),
    "api-verify": (
        "post",
        {"codice_fiscale": "BNNMHM85C12Z330T", "data": "2025-06-01"},
        {"INPS-TO": 200},
    ),
}
DENIED = {302, 401, 403, 405}


def _routes(
    resolver: URLResolver, prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, Any, str]]:
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            space = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _routes(entry, pattern, space)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}" if entry.name else pattern, entry.callback, pattern


def _path(pattern: str) -> str:
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: SAMPLE.get(m.group(1), "1"), pattern)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: SAMPLE.get(m.group(1), "1"), path)
    return "/" + path.lstrip("^").rstrip("$").replace("\\", "")


ROUTES = sorted(
    {name: (name, view, _path(p)) for name, view, p in _routes(get_resolver())}.values()
)


def test_the_walk_sees_every_kind_of_route() -> None:
    names = {name for name, _, _ in ROUTES}
    assert {"portal:search", "portal:person", "api-verify", "receive-flow", "admin:index"} <= names


@pytest.mark.parametrize("name, view, path", ROUTES, ids=[r[0] for r in ROUTES])
def test_anonymous_gets_only_the_public_routes(
    name: str, view: Any, path: str, world: portal_world.World
) -> None:
    response = Client().get(path)
    if name in PUBLIC:
        assert response.status_code == 200, (name, path)
    else:
        assert response.status_code in DENIED | {404}, (name, path, response.status_code)
        if response.status_code == 302:
            # A redirect may only lead to a login or to a public page.
            final = Client().get(path, follow=True).request["PATH_INFO"]
            assert final in {"/accesso/", "/admin/login/", "/"}, (name, final)


@pytest.fixture
def sessions(world: portal_world.World) -> dict[str, Client]:
    clients = {}
    for username in USERS:
        clients[username] = Client()
        login(clients[username], username)
    return clients


def _expected(name: str, view: Any, username: str) -> int | None:
    if name in PAGES:
        named, other = PAGES[name]
        return named.get(username, other)
    held = getattr(view, "roles", None)
    if held is not None:
        role = PEOPLE.get(username, (None, None))[0]
        return 200 if role in held and username != "agente_milano" else 403
    return None


@pytest.mark.parametrize(
    "name, view, path",
    [r for r in ROUTES if not r[0].startswith("api-") and r[0] != "receive-flow"],
    ids=lambda r: r if isinstance(r, str) else "",
)
def test_each_role_gets_what_it_may(
    name: str, view: Any, path: str, sessions: dict[str, Client]
) -> None:
    for username, client in sessions.items():
        got = client.get(path).status_code
        expected = _expected(name, view, username)
        if expected is None:
            # A route nobody wrote expectations for (the admin's pages): never open to a
            # portal user who is not staff.
            assert got in DENIED | {404}, (name, username, got)
        else:
            assert got == expected, (name, path, username, got)


@pytest.mark.parametrize("name", sorted(APIS))
def test_each_api_client_gets_what_it_may(name: str, world: portal_world.World) -> None:
    path = next(p for n, _, p in ROUTES if n == name)
    method, data, allowed = APIS[name]
    for office, key in world.keys.items():
        headers = api_headers(key, "utente.finale")
        if method == "post":
            response = Client().post(path, data, content_type="application/json", headers=headers)
        else:
            response = Client().get(path, data, headers=headers)
        assert response.status_code == allowed.get(office, 403), (name, office, response.content)
    anonymous = (
        getattr(Client(), method)(path, data, content_type="application/json")
        if method == "post"
        else Client().get(path, data)
    )
    assert anonymous.status_code == 401
    assert anonymous["Content-Type"] == "application/problem+json"


def test_an_api_route_not_in_the_table_refuses_anonymous(world: portal_world.World) -> None:
    for name, _, path in ROUTES:
        if name.startswith("api-") and name not in APIS and name not in PUBLIC:
            assert Client().post(path).status_code in {401, 405}, name


def test_forms_need_the_csrf_token(world: portal_world.World) -> None:
    client = Client(enforce_csrf_checks=True)

    def token(page: str) -> str:
        client.get(page)
        return client.cookies["csrftoken"].value

    assert client.post("/accesso/", {"username": "agente", "password": "x"}).status_code == 403
    answer = client.post(
        "/accesso/",
        {
            "username": "agente",
            "password": portal_world.PASSWORD,
            "csrfmiddlewaretoken": token("/accesso/"),
        },
    )
    assert answer.status_code == 302
    code = portal_world.code_for("agente")
    assert client.post("/accesso/codice/", {"code": code}).status_code == 403
    answer = client.post(
        "/accesso/codice/", {"code": code, "csrfmiddlewaretoken": token("/accesso/codice/")}
    )
    assert answer.status_code == 302
    data = {
        "finalita": "rinnovo_permesso",
        "riferimento_pratica": "P-1",
        "codice_fiscale": "BNNMHM85C12Z330T",
    }
    assert client.post("/consultazione/", data).status_code == 403
    data["csrfmiddlewaretoken"] = token("/consultazione/")
    assert client.post("/consultazione/", data).status_code == 200


def test_the_queue_forms_need_the_csrf_token(world: portal_world.World) -> None:
    client = Client(enforce_csrf_checks=True)

    def token(page: str) -> str:
        client.get(page)
        return client.cookies["csrftoken"].value

    data = {"username": "operatore", "password": portal_world.PASSWORD}
    assert (
        client.post("/accesso/", {**data, "csrfmiddlewaretoken": token("/accesso/")}).status_code
        == 302
    )
    code = {"code": portal_world.code_for("operatore")}
    code["csrfmiddlewaretoken"] = token("/accesso/codice/")
    assert client.post("/accesso/codice/", code).status_code == 302
    action = {"azione": "prendi", "query": ""}
    assert client.post("/lavoro/gruppo/", action).status_code == 403
    action["csrfmiddlewaretoken"] = token("/lavoro/")
    assert client.post("/lavoro/gruppo/", action).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/accesso/",
        "/privacy/",
        "/api/v1/openapi.json",
        "/api/v1/verifica",
        "/.well-known/security.txt",
    ],
)
def test_security_headers(path: str, world: portal_world.World) -> None:
    response = Client().get(path)
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cache-Control"] == "no-store"
