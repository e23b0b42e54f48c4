# SPDX-License-Identifier: EUPL-1.2
from __future__ import annotations

from pathlib import Path

import pytest

from interscambio.core.extracts import STREETS
from interscambio.registry.loading import load_streets
from tests import rows


@pytest.fixture
def gazetteer(tmp_path: Path, db: None) -> Path:
    """A Comune node whose gazetteer holds street 00101 (civic numbers 1-300)."""
    path = rows.write(tmp_path / "stradario.csv", STREETS, [rows.street()])
    load_streets(path)
    return path
