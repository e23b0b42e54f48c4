# SPDX-License-Identifier: EUPL-1.2
from __future__ import annotations

from typing import Any

from interscambio.node.console import LoadCommand
from interscambio.node.loading import LoadReport
from interscambio.registry.loading import load_streets


class Command(LoadCommand):
    help = "Load the street gazetteer (stradario.csv); re-loading a street code updates it."
    what = "Loading the street gazetteer"

    def load(self, options: dict[str, Any], progress: Any) -> LoadReport:
        return load_streets(
            options["file"], skip_invalid=options["skip_invalid"], progress=progress
        )
