# SPDX-License-Identifier: EUPL-1.2
from __future__ import annotations

from typing import Any

from interscambio.node.console import LoadCommand
from interscambio.node.loading import LoadReport
from interscambio.permits.loading import load_permits


class Command(LoadCommand):
    help = "Load residence permits (permessi.csv), all or nothing; re-loading a number updates it."
    role = "questura"
    what = "Loading the permits"

    def load(self, options: dict[str, Any], progress: Any) -> LoadReport:
        return load_permits(
            options["file"], skip_invalid=options["skip_invalid"], progress=progress
        )
