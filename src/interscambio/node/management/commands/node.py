# SPDX-License-Identifier: EUPL-1.2
from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from rich.console import Console
from rich.table import Table

from interscambio.node.roles import ROLE_LABELS
from interscambio.permits.stats import permit_counts
from interscambio.reconciliation.stats import reconciliation_counts
from interscambio.registry.stats import registry_counts


class Command(BaseCommand):
    help = "Show this node's role, id, database and what it holds."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print as JSON, for scripts")

    def handle(self, *args: Any, **options: Any) -> None:
        info = {
            "role": settings.NODE_ROLE,
            "node_id": settings.NODE_ID,
            "name": settings.NODE_NAME,
            "database": {
                "vendor": connection.vendor,
                "name": str(connection.settings_dict["NAME"]),
            },
            "counts": {
                **(registry_counts() if settings.NODE_ROLE == "comune" else permit_counts()),
                **reconciliation_counts(),
            },
        }
        if options["json"]:
            self.stdout.write(json.dumps(info, indent=2))
            return
        table = Table(title=f"{info['name']} ({info['node_id']}), {ROLE_LABELS[info['role']]}")
        table.add_column("")
        table.add_column("", justify="right")
        table.add_row("database", f"{connection.vendor}: {info['database']['name']}")
        for key, value in info["counts"].items():
            shown = (
                ", ".join(f"{k} {v:,}" for k, v in value.items())
                if isinstance(value, dict)
                else f"{value:,}"
            )
            table.add_row(key, shown)
        Console().print(table)
