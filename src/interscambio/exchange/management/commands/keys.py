# SPDX-License-Identifier: EUPL-1.2
from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from interscambio.core.trust import certificate_pem
from interscambio.exchange.errors import ExchangeError
from interscambio.exchange.models import PartnerCertificate
from interscambio.exchange.trust import init_keys, node_identity, trust_certificate


class Command(BaseCommand):
    help = "This node's signing key and certificate, and the partners' certificates it trusts."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        init = actions.add_parser("init", help="make a key and a self-signed certificate")
        init.add_argument("--force", action="store_true", help="replace an existing key")
        init.add_argument("--days", type=int, default=825, help="validity (default 825)")
        show = actions.add_parser("show", help="print this node's certificate (PEM) to share")
        show.add_argument("--out", type=Path, help="write the PEM to this file instead")
        trust = actions.add_parser("trust", help="trust a partner's certificate (PEM file)")
        trust.add_argument("certificate", type=Path)
        actions.add_parser("list", help="list the trusted certificates")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except ExchangeError as error:
            raise CommandError(str(error)) from None

    def _init(self, options: dict[str, Any]) -> None:
        path = init_keys(force=options["force"], days=options["days"])
        identity = node_identity()
        self.stdout.write(f"key and certificate of node {identity.node_id} in {path.parent}")
        self.stdout.write(f"kid (x5t#S256): {identity.kid}")
        self.stdout.write("give node.crt to your partners: `interscambio keys trust node.crt`")

    def _show(self, options: dict[str, Any]) -> None:
        identity = node_identity()
        pem = certificate_pem(identity.certificate)
        if options["out"]:
            options["out"].write_bytes(pem)
            self.stdout.write(f"certificate of {identity.node_id} written to {options['out']}")
            return
        self.stdout.write(pem.decode("ascii"), ending="")

    def _trust(self, options: dict[str, Any]) -> None:
        path: Path = options["certificate"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        partner, row, created = trust_certificate(path.read_bytes())
        verb = "now trusted" if created else "was trusted already"
        self.stdout.write(
            f"{partner}: certificate {row.kid} {verb} (valid until {row.not_after:%Y-%m-%d})"
        )

    def _list(self, options: dict[str, Any]) -> None:
        for row in PartnerCertificate.objects.select_related("partner").order_by(
            "partner__node_id"
        ):
            self.stdout.write(f"{row.partner.node_id:8} {row.kid}  until {row.not_after:%Y-%m-%d}")
        if not PartnerCertificate.objects.exists():
            self.stdout.write("no partner certificate is trusted yet")
