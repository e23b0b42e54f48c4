# SPDX-License-Identifier: EUPL-1.2
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from interscambio.core.extracts import STREETS
from interscambio.registry.loading import load_streets
from tests import portal_world, rows


@pytest.fixture
def gazetteer(tmp_path: Path, db: None) -> Path:
    """A Comune node whose gazetteer holds street 00101 (civic numbers 1-300)."""
    path = rows.write(tmp_path / "stradario.csv", STREETS, [rows.street()])
    load_streets(path)
    return path


@pytest.fixture
def world(settings: Any, tmp_path: Path, db: None) -> portal_world.World:
    """A Comune node with the consultation platform's offices, people and clients
    (tests/portal_world.py)."""
    settings.DATA_DIR = tmp_path
    settings.NODE_ROLE, settings.NODE_ID = "comune", "001272"
    settings.PASSWORD_HASHERS = portal_world.FAST_HASHERS
    return portal_world.build(tmp_path)
