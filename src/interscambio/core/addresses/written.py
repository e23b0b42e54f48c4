# SPDX-License-Identifier: EUPL-1.2
"""An address as the registry writes it: "VIA PAPACINO 3/B, scala C, piano 2, int. 14"."""

from __future__ import annotations


def written(
    street: str,
    civic: int | str,
    suffix: str = "",
    staircase: str = "",
    floor: str = "",
    flat: str = "",
) -> str:
    parts = [f"{street} {civic}/{suffix}" if suffix else f"{street} {civic}"]
    for label, value in (("scala", staircase), ("piano", floor), ("int.", flat)):
        if value:
            parts.append(f"{label} {value}")
    return ", ".join(parts)
