# SPDX-License-Identifier: EUPL-1.2
from __future__ import annotations

from pathlib import Path
from typing import Any

from interscambio.node.console import LoadCommand
from interscambio.node.loading import LoadReport
from interscambio.registry.loading import load_registry


class Command(LoadCommand):
    help = (
        "Load foreign residents (anagrafe.csv) and, with --events, their registry events "
        "(eventi.csv), all or nothing; re-loading an id updates it."
    )
    what = "Loading the registry"

    def add_load_arguments(self, parser: Any) -> None:
        parser.add_argument("--events", type=Path, help="the events extract (eventi.csv)")

    def load(self, options: dict[str, Any], progress: Any) -> LoadReport:
        return load_registry(
            options["file"],
            options["events"],
            skip_invalid=options["skip_invalid"],
            progress=progress,
        )
