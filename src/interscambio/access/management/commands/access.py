# SPDX-License-Identifier: EUPL-1.2
from __future__ import annotations

import getpass
from datetime import date
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from rich.console import Console
from rich.table import Table

from interscambio.access import rules
from interscambio.access.models import Agreement, ApiClient, Authorization, Office
from interscambio.access.roles import OFFICE_KINDS, ROLES


class Command(BaseCommand):
    help = "Offices, the agreement and authorizations: who may act in which role until when."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        office = actions.add_parser("office", help="add or rename an office")
        office.add_argument("code")
        office.add_argument("--name", required=True)
        office.add_argument("--kind", required=True, choices=sorted(OFFICE_KINDS))
        agreement = actions.add_parser("agreement", help="record an agreement and its offices")
        agreement.add_argument("--title", required=True)
        agreement.add_argument("--start", type=date.fromisoformat, required=True)
        agreement.add_argument("--end", type=date.fromisoformat, required=True)
        agreement.add_argument("--offices", required=True, help="office codes, comma-separated")
        agreement.add_argument("--reference", default="")
        grant = actions.add_parser("grant", help="authorize a user (created if new) in a role")
        grant.add_argument("username")
        grant.add_argument("--office", required=True)
        grant.add_argument("--role", required=True, choices=sorted(ROLES))
        grant.add_argument("--until", type=date.fromisoformat, required=True)
        grant.add_argument("--by", required=True)
        revoke = actions.add_parser("revoke", help="revoke an authorization")
        revoke.add_argument("id", type=int)
        revoke.add_argument("--by", required=True)
        revoke.add_argument("--reason", required=True)
        account = actions.add_parser(
            "user", help="create a local account or set its password; reset its second factor"
        )
        account.add_argument("username")
        account.add_argument(
            "--password-file", type=Path, help="read the password from this file (else asked)"
        )
        account.add_argument(
            "--reset-second-factor",
            action="store_true",
            help="forget the user's authenticator: they set up a new one at the next login",
        )
        account.add_argument("--by", required=True)
        client = actions.add_parser(
            "client", help="register an office's system for the consultation or verification API"
        )
        client.add_argument("office")
        client.add_argument("--role", required=True, choices=sorted(rules.API_ROLES))
        client.add_argument("--certificate", type=Path, required=True)
        client.add_argument(
            "--expiry", action="store_true", help="a verifier that may learn the permit's expiry"
        )
        client.add_argument("--by", required=True)
        unclient = actions.add_parser("client-revoke", help="revoke an API client")
        unclient.add_argument("client_id")
        unclient.add_argument("--by", required=True)
        listing = actions.add_parser("list", help="the authorizations and whether each holds")
        listing.add_argument("--date", type=date.fromisoformat)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action'].replace('-', '_')}")(options)
        except rules.AccessError as error:
            raise CommandError(str(error)) from None

    def _office(self, o: dict[str, Any]) -> None:
        Office.objects.update_or_create(
            code=o["code"], defaults={"name": o["name"], "kind": o["kind"]}
        )
        self.stdout.write(f"office {o['code']}: {o['name']} ({o['kind']})")

    def _agreement(self, o: dict[str, Any]) -> None:
        codes = [c.strip() for c in o["offices"].split(",") if c.strip()]
        offices = list(Office.objects.filter(code__in=codes))
        missing = sorted(set(codes) - {x.code for x in offices})
        if missing:
            raise CommandError(
                f"no such office: {', '.join(missing)} (add it with `access office`)"
            )
        if o["end"] < o["start"]:
            raise CommandError("the agreement ends before it starts")
        made = Agreement.objects.create(
            title=o["title"], reference=o["reference"], start=o["start"], end=o["end"]
        )
        made.offices.set(offices)
        self.stdout.write(f"agreement {made.pk}: {made}")

    def _grant(self, o: dict[str, Any]) -> None:
        office = Office.objects.filter(code=o["office"]).first()
        if office is None:
            raise CommandError(f"no such office: {o['office']}")
        user, _ = get_user_model().objects.get_or_create(username=o["username"])
        made = rules.grant(user, office, o["role"], until=o["until"], by=o["by"])
        self.stdout.write(f"authorization {made.pk}: {made}")

    def _revoke(self, o: dict[str, Any]) -> None:
        found = Authorization.objects.filter(pk=o["id"]).first()
        if found is None:
            raise CommandError(f"there is no authorization {o['id']}")
        rules.revoke(found, by=o["by"], reason=o["reason"])
        self.stdout.write(f"authorization {found.pk} revoked")

    def _user(self, o: dict[str, Any]) -> None:
        if o["password_file"] is None and o["reset_second_factor"]:
            password = None
        elif o["password_file"] is not None:
            password = o["password_file"].read_text(encoding="utf-8").strip()
        else:
            password = getpass.getpass(f"password for {o['username']}: ")
        try:
            created = rules.set_account(
                o["username"],
                password,
                reset_second_factor=o["reset_second_factor"],
                by=o["by"],
            )
        except ValidationError as error:
            raise CommandError("the password is refused: " + " ".join(error.messages)) from None
        self.stdout.write(f"account {o['username']} {'created' if created else 'updated'}")

    def _client(self, o: dict[str, Any]) -> None:
        office = Office.objects.filter(code=o["office"]).first()
        if office is None:
            raise CommandError(f"no such office: {o['office']}")
        made = rules.add_client(
            office,
            o["role"],
            o["certificate"].read_bytes(),
            by=o["by"],
            shows_expiry=o["expiry"],
        )
        self.stdout.write(f"API client {made.client_id} (kid {made.kid}) for {office.name}")

    def _client_revoke(self, o: dict[str, Any]) -> None:
        found = ApiClient.objects.filter(client_id=o["client_id"], revoked_at__isnull=True)
        if not found:
            raise CommandError(f"there is no API client {o['client_id']} in force")
        for client in found:
            rules.revoke_client(client, by=o["by"])
        self.stdout.write(f"API client {o['client_id']} revoked")

    def _list(self, o: dict[str, Any]) -> None:
        day = o["date"] or timezone.localdate()
        table = Table(title=f"Authorizations on {day}")
        for column in ("id", "user", "office", "role", "from", "until", "holds"):
            table.add_column(column)
        for a in Authorization.objects.select_related("user", "office"):
            holds = a in rules.active(a.user, day)
            table.add_row(
                str(a.pk),
                a.user.get_username(),
                a.office.code,
                a.role,
                str(a.valid_from),
                str(a.expires),
                "yes" if holds else "no",
            )
        Console().print(table)
