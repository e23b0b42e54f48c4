# SPDX-License-Identifier: EUPL-1.2
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from waitress import serve

from interscambio.project.wsgi import application


class Command(BaseCommand):
    help = (
        "Serve this node over HTTP (the partners' flow endpoint) with waitress; put a TLS "
        "reverse proxy in front of it in production."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=4)

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(
            f"{settings.NODE_NAME} ({settings.NODE_ID}) on http://{options['host']}:{options['port']}/",
        )
        self.stdout.flush()
        serve(
            application,
            host=options["host"],
            port=options["port"],
            threads=options["threads"],
            max_request_body_size=settings.EXCHANGE_MAX_FLOW_BYTES,
            ident="interscambio",
        )
