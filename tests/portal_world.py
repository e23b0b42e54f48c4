# SPDX-License-Identifier: EUPL-1.2
"""A small Comune node with everyone the consultation platform serves, for the portal and API
tests: offices (one Questura office outside the agreement), users of each role with a
password and a TOTP device, API clients with keys made for the test, and a few residents."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from interscambio.access import roles, rules
from interscambio.access.models import Agreement, ApiClient, Office
from interscambio.core.trust import client_assertion, generate_identity, load_identity
from interscambio.core.trust.keys import NodeIdentity
from interscambio.core.trust.tokens import tracking_evidence
from interscambio.exchange.trust import init_keys
from interscambio.registry.models import Citizenship, Family, RegistryEvent, Resident, Street

PASSWORD = "Sintetica-Password-2026!"
# The tests make many accounts; the production hasher's cost is a property of the deployment.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
START, END = date(2025, 10, 15), date(2030, 10, 14)
# Who acts in each role, and the office they act for.
PEOPLE = {
    "admin_anagrafe": (roles.REGISTRY_ADMIN, "ANA-TO"),
    "operatore": (roles.REGISTRY_OPERATOR, "ANA-TO"),
    "agente": (roles.QUESTURA_CONSULTANT, "UI-TO"),
    "agente_milano": (roles.QUESTURA_CONSULTANT, "UI-MI"),
    "supervisore": (roles.PREFETTURA_SUPERVISOR, "PREF-TO"),
    "verificatore": (roles.VERIFIER, "INPS-TO"),
}
# A person with no authorization at all, and one whose authorization expired.
NOBODY, EXPIRED = "senza_ruolo", "scaduto"


@dataclass
class World:
    offices: dict[str, Office]
    keys: dict[str, NodeIdentity] = field(default_factory=dict)
    clients: dict[str, ApiClient] = field(default_factory=dict)


def _office(code: str, name: str, kind: str) -> Office:
    return Office.objects.create(code=code, name=name, kind=kind)


def _user(username: str) -> Any:
    user = get_user_model().objects.create_user(username, password=PASSWORD)
    TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    return user


def code_for(username: str) -> str:
    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    return f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"


def login(client: Client, username: str) -> None:
    """Both factors, as a person at the keyboard would."""
    response = client.post("/accesso/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    response = client.post("/accesso/codice/", {"code": code_for(username)})
    assert response.status_code == 302 and "/accesso/" not in response["Location"], response


def residents() -> None:
    via = Street.objects.create(
        code="00101", dug="VIA", name="GARIBALDI", civic_min=1, civic_max=300
    )
    corso = Street.objects.create(
        code="00102", dug="CORSO", name="REGINA MARGHERITA", civic_min=1, civic_max=300
    )
    family = Family.objects.create(code="F0001")
    people = [
        ("R0001", "BNNMHM85C12Z330T", "BENNANI", "MOHAMMED", date(1985, 3, 12), "1", ["MAR"]),
        ("R0002", "BNNFTM88D52Z330K", "BENNANI", "FATIMA", date(1988, 4, 12), "2", ["MAR"]),
        ("R0003", "KWLDRA90A41Z129Q", "KOWALSKA", "DARIA", date(1990, 1, 1), "1", ["POL"]),
    ]
    for registry_id, code, surname, given, born, relation, countries in people:
        person = Resident.objects.create(
            registry_id=registry_id,
            codice_fiscale=code,
            surname=surname,
            given_names=given,
            sex="M" if given == "MOHAMMED" else "F",
            birth_date=born,
            birth_place="MAROCCO",
            birth_place_code="Z330",
            status="residente",
            registration_date=date(2019, 5, 2),
            family=family if surname == "BENNANI" else Family.objects.create(code="F0002"),
            family_relation=relation,
            street=corso,
            civic_number=12,
            title_kind="1" if countries != ["POL"] else "4",
            title_number=f"TO{registry_id}",
            title_questura_name="TORINO",
            title_issue_date=date(2024, 2, 1),
            title_expiry_date=date(2026, 2, 1),
        )
        for rank, country in enumerate(countries):
            Citizenship.objects.create(resident=person, country=country, rank=rank)
        RegistryEvent.objects.create(
            event_id=f"E{registry_id}a",
            resident=person,
            kind="iscrizione",
            reason_code="2",
            date=date(2019, 5, 2),
            changes={"indirizzo": [None, "VIA GARIBALDI 10"]},
        )
        RegistryEvent.objects.create(
            event_id=f"E{registry_id}b",
            resident=person,
            kind="variazione",
            reason_code="indirizzo",
            date=date(2023, 6, 1),
            changes={"indirizzo": ["VIA GARIBALDI 10", "CORSO REGINA MARGHERITA 12"]},
        )
    del via


def build(tmp_path: Path) -> World:
    init_keys()
    offices = {
        code: _office(code, name, kind)
        for code, name, kind in (
            ("ANA-TO", "Anagrafe di Torino", roles.REGISTRY_OFFICE),
            ("UI-TO", "Ufficio Immigrazione di Torino", roles.IMMIGRATION_OFFICE),
            ("UI-MI", "Ufficio Immigrazione di Milano", roles.IMMIGRATION_OFFICE),
            ("PREF-TO", "Prefettura di Torino", roles.PREFETTURA),
            ("INPS-TO", "INPS Torino", roles.OTHER),
        )
    }
    agreement = Agreement.objects.create(title="Protocollo Comune-Questura", start=START, end=END)
    agreement.offices.set([offices[c] for c in ("UI-TO", "PREF-TO", "INPS-TO")])
    for username, (role, office) in PEOPLE.items():
        rules.grant(_user(username), offices[office], role, since=START, until=END, by="test")
    _user(NOBODY)
    rules.grant(
        _user(EXPIRED),
        offices["UI-TO"],
        roles.QUESTURA_CONSULTANT,
        since=START,
        until=date(2025, 12, 31),
        by="test",
    )
    world = World(offices)
    for name, office, role, expiry in (
        ("UI-TO", "UI-TO", roles.QUESTURA_CONSULTANT, False),
        ("UI-MI", "UI-MI", roles.QUESTURA_CONSULTANT, False),
        ("INPS-TO", "INPS-TO", roles.VERIFIER, True),
    ):
        key_pem, cert_pem = generate_identity(name, offices[office].name)
        world.keys[name] = load_identity(key_pem, cert_pem)
        world.clients[name] = rules.add_client(
            offices[office], role, cert_pem, by="test", shows_expiry=expiry
        )
    residents()
    return world


def api_headers(
    identity: NodeIdentity, user: str | None = None, audience: str = "001272"
) -> dict[str, str]:
    """Headers of one API call by `identity`, with tracking evidence naming `user` if given."""
    if user is None:
        return {"Authorization": f"Bearer {client_assertion(identity, audience)}"}
    tracking = tracking_evidence(identity, audience, user, location="sportello 3", loa="LoA3")
    return {
        "Authorization": f"Bearer {client_assertion(identity, audience, tracking=tracking)}",
        "Agid-JWT-TrackingEvidence": tracking,
    }
