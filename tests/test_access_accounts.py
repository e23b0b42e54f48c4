# SPDX-License-Identifier: EUPL-1.2
"""`interscambio access user|client|client-revoke`: accounts under the password rules, API
clients by their certificate, each change in the access log."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from interscambio.access.models import ApiClient, Office
from interscambio.audit import actions
from interscambio.audit.models import LogEntry
from interscambio.core.trust import generate_identity
from interscambio.exchange.trust import init_keys


@pytest.fixture
def node(settings: Any, tmp_path: Path, db: None) -> Path:
    settings.DATA_DIR = tmp_path
    init_keys()
    Office.objects.create(code="INPS-TO", name="INPS Torino", kind="altra_amministrazione")
    return tmp_path


def test_an_account_needs_a_strong_password(node: Path) -> None:
    weak = node / "weak"
    weak.write_text("12345678")
    with pytest.raises(CommandError, match="password is refused"):
        call_command("access", "user", "anna", "--password-file", str(weak), "--by", "admin")
    assert not get_user_model().objects.filter(username="anna").exists()
    strong = node / "strong"
    strong.write_text("Correct-Horse-Battery-Staple-7")
    call_command("access", "user", "anna", "--password-file", str(strong), "--by", "admin")
    user = get_user_model().objects.get(username="anna")
    assert user.check_password("Correct-Horse-Battery-Staple-7")
    entry = LogEntry.objects.get(action=actions.ACCOUNT).entry
    assert entry["user"] == "admin" and entry["query"]["utente"] == "anna"
    assert "Correct-Horse" not in LogEntry.objects.get(action=actions.ACCOUNT).record


def test_resetting_the_second_factor_forgets_the_authenticator(node: Path) -> None:
    user = get_user_model().objects.create_user("anna", password="x")
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    call_command("access", "user", "anna", "--reset-second-factor", "--by", "admin")
    assert not TOTPDevice.objects.filter(user=user).exists()
    with pytest.raises(CommandError, match="needs a password"):
        call_command("access", "user", "nuovo", "--reset-second-factor", "--by", "admin")


def test_an_api_client_is_registered_by_its_certificate_and_revoked(node: Path) -> None:
    _, pem = generate_identity("INPS-TO", "INPS Torino")
    cert = node / "inps.crt"
    cert.write_bytes(pem)
    args = ["--role", "verificatore", "--certificate", str(cert), "--expiry", "--by", "admin"]
    call_command("access", "client", "INPS-TO", *args)
    client = ApiClient.objects.get()
    assert client.client_id == "INPS-TO" and client.shows_expiry
    with pytest.raises(CommandError, match="registered already"):
        call_command("access", "client", "INPS-TO", *args)
    with pytest.raises(CommandError, match="not for an office"):
        call_command(
            "access",
            "client",
            "INPS-TO",
            "--role",
            "consultatore_questura",
            "--certificate",
            str(cert),
            "--by",
            "admin",
        )
    call_command("access", "client-revoke", "INPS-TO", "--by", "admin")
    client.refresh_from_db()
    assert client.revoked_at is not None
    assert [e.action for e in LogEntry.objects.order_by("index")] == [
        actions.CLIENT_ADDED,
        actions.CLIENT_REVOKED,
    ]
    with pytest.raises(CommandError, match="in force"):
        call_command("access", "client-revoke", "INPS-TO", "--by", "admin")
