# SPDX-License-Identifier: EUPL-1.2
"""Joining the shards into the extracts and the truth, in shard order.

Two people of the city may share a codice fiscale by the rules: the later one gets the omocode
the Agenzia delle Entrate would issue. Only the merge sees the whole city, so it assigns them
here, in the registry rows and in the permit rows of the same person.
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Final

from interscambio.core.extracts.schemas import EVENTS, PERMITS, RESIDENTS, STREETS
from interscambio.core.identity.codice_fiscale import omocode
from interscambio.core.synth.catalog import Catalog

LINKS_HEADER: Final = ("numero_permesso", "id_anagrafe")
DISCREPANCIES_HEADER: Final = ("kind", "id_anagrafe", "numero_permesso", "cui", "detail")
PERMIT_CF: Final = PERMITS.header.index("codice_fiscale")


def write_streets(catalog: Catalog, path: Path) -> int:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(STREETS.header)
        for s in catalog.streets:
            writer.writerow((s.code, s.dug, s.name, 1, s.civic_max, s.district, s.cap))
    return len(catalog.streets)


def _header(handle: io.TextIOBase, columns: Iterable[str]) -> None:
    handle.write(",".join(columns) + "\n")


def merge_residents(parts: list[Path], path: Path) -> dict[str, tuple[str, str]]:
    """Concatenate the registry parts, giving omocodes to repeated codes.

    Returns {person id: (plain code, omocode)} for the people whose code changed."""
    seen: set[str] = set()
    uses: dict[str, int] = {}
    changed: dict[str, tuple[str, str]] = {}
    with path.open("w", encoding="utf-8", newline="") as out:
        _header(out, RESIDENTS.header)
        for part in parts:
            with part.open(encoding="utf-8", newline="") as lines:
                for line in lines:
                    pid, code, rest = line.split(",", 2)
                    if code in seen:
                        uses[code] = uses.get(code, 0) + 1
                        new = omocode(code, uses[code])
                        changed[pid] = (code, new)
                        line = f"{pid},{new},{rest}"
                    else:
                        seen.add(code)
                    out.write(line)
    return changed


def merge_permits(
    parts: list[Path], path: Path, links_path: Path, changed: dict[str, tuple[str, str]]
) -> None:
    with (
        path.open("w", encoding="utf-8", newline="") as out,
        links_path.open("w", encoding="utf-8", newline="") as links,
    ):
        _header(out, PERMITS.header)
        _header(links, LINKS_HEADER)
        for part in parts:
            with part.open(encoding="utf-8", newline="") as lines:
                for line in lines:
                    pid, row = line.split(",", 1)
                    if pid:
                        links.write(f"{row.split(',', 1)[0]},{pid}\n")
                        if pid in changed:
                            row = _recode(row, *changed[pid])
                    out.write(row)


def _recode(row: str, plain: str, new: str) -> str:
    cells = next(csv.reader([row]))
    if cells[PERMIT_CF] == plain:
        cells[PERMIT_CF] = new
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return buffer.getvalue()


def concatenate(parts: list[Path], path: Path, header: Iterable[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        _header(out, header)
        for part in parts:
            with part.open(encoding="utf-8", newline="") as lines:
                shutil.copyfileobj(lines, out)


def merge_events(parts: list[Path], path: Path) -> None:
    concatenate(parts, path, EVENTS.header)


def merge_discrepancies(parts: list[Path], path: Path) -> None:
    concatenate(parts, path, DISCREPANCIES_HEADER)
