# SPDX-License-Identifier: EUPL-1.2
"""Whether two resolved addresses are one building, one street or two places."""

from __future__ import annotations

from typing import Literal

from interscambio.core.addresses.gazetteer import Resolution

Comparison = Literal["same_building", "same_street", "different", "unknown"]


def compare(a: Resolution, b: Resolution) -> Comparison:
    """Same street code, civic number and suffix is one building, whatever the staircase,
    floor and interno: a family's flat is often written without them, or differently.

    A civic number missing on either side leaves the building open: "same_street".
    """
    if not (a.resolved and b.resolved):
        return "unknown"
    if a.street_code != b.street_code:
        return "different"
    if a.civic is not None and a.civic == b.civic and a.suffix == b.suffix:
        return "same_building"
    return "same_street"
