# SPDX-License-Identifier: EUPL-1.2
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from interscambio.exchange.errors import ExchangeError
from interscambio.exchange.models import Partner
from interscambio.exchange.models.partners import API, FILE
from interscambio.exchange.partners import PartnerFileError, import_partners


class Command(BaseCommand):
    help = "The partner nodes this node exchanges flows with."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        add = actions.add_parser("add", help="add a partner, or change one")
        add.add_argument("node_id", help="the partner's node id (ISTAT code or province code)")
        add.add_argument("--name", required=True)
        add.add_argument("--transport", choices=[API, FILE], required=True)
        add.add_argument("--url", default="", help="the partner's base URL (api transport)")
        add.add_argument("--outbox", default="", help="folder for flows to it (file transport)")
        add.add_argument("--inbox", default="", help="folder for flows from it (file transport)")
        add.add_argument(
            "--since",
            type=date.fromisoformat,
            required=True,
            help="first day the agreement covers (YYYY-MM-DD): periods are counted from it",
        )
        imported = actions.add_parser(
            "import",
            help="add or change many partners from a CSV file (node_id, name, transport, url, "
            "outbox, inbox, since, certificate: a PEM file's path), all or none",
        )
        imported.add_argument("file", type=Path)
        disable = actions.add_parser("disable", help="stop exchanging with a partner")
        disable.add_argument("node_id")
        actions.add_parser("list", help="list the partners")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _add(self, options: dict[str, Any]) -> None:
        if options["transport"] == API and not options["url"].startswith(("http://", "https://")):
            raise CommandError("--url http(s)://host:port/ is required for the api transport")
        partner, created = Partner.objects.update_or_create(
            node_id=options["node_id"],
            defaults={
                "name": options["name"],
                "transport": options["transport"],
                "url": options["url"],
                "outbox": options["outbox"],
                "inbox": options["inbox"],
                "since": options["since"],
                "active": True,
            },
        )
        self.stdout.write(f"{'added' if created else 'updated'} {partner} ({partner.transport})")
        if not partner.certificates.exists():
            self.stdout.write(
                "next: trust its certificate with `interscambio keys trust PARTNER.crt`"
            )

    def _import(self, options: dict[str, Any]) -> None:
        try:
            added, changed = import_partners(options["file"])
        except (PartnerFileError, ExchangeError, OSError) as error:
            raise CommandError(f"{options['file']}: {error}; nothing was changed") from None
        self.stdout.write(f"{added} partners added, {changed} changed, certificates trusted")

    def _disable(self, options: dict[str, Any]) -> None:
        if not Partner.objects.filter(node_id=options["node_id"]).update(active=False):
            raise CommandError(f"{options['node_id']!r} is not a partner of this node")
        self.stdout.write(
            f"{options['node_id']} disabled: nothing more is sent to or taken from it"
        )

    def _list(self, options: dict[str, Any]) -> None:
        for p in Partner.objects.all():
            where = p.url if p.transport == API else f"out {p.outbox_dir}, in {p.inbox_dir}"
            state = "" if p.active else " (disabled)"
            self.stdout.write(
                f"{p.node_id:8} {p.name}{state}: {p.transport} {where}, since {p.since}"
            )
        if not Partner.objects.exists():
            self.stdout.write("no partner yet: `interscambio partner add ...`")
