# SPDX-License-Identifier: EUPL-1.2
"""The source systems' CSV extracts: their columns, field rules and a validating reader.

Framework-free: the synthetic city writes these files, the Django loaders read them.
The columns are documented for people in docs/extracts.md.
"""

from interscambio.core.extracts.reader import ExtractError, RowError, read_extract
from interscambio.core.extracts.schemas import (
    EVENTS,
    PERMITS,
    RESIDENTS,
    SCHEMAS,
    STREETS,
    Column,
    ExtractSchema,
)

__all__ = [
    "EVENTS",
    "PERMITS",
    "RESIDENTS",
    "SCHEMAS",
    "STREETS",
    "Column",
    "ExtractError",
    "ExtractSchema",
    "RowError",
    "read_extract",
]
