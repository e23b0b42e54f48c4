# SPDX-License-Identifier: EUPL-1.2
"""A sample report of a synthetic quarter, rendered to PNG with pdftoppm: the pictures in
docs/screenshots/ and CI's check that a report PDF renders (.ci/run). No database: the
figures are made up here, as a mid-sized Comune's quarter could look.

    python -m interscambio.report.samples --out DIR [--dpi 60]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from interscambio.report.tables import Median, Report, Row, Section, Table


def _table(key: str, title: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]],
           **totals: bool) -> Table:  # fmt: skip
    """A table from (key, label, cell, cell, ...) tuples."""
    return Table(key, title, columns, tuple(Row(r[0], r[1], r[2:]) for r in rows), **totals)


def _days(*runs: tuple[int, float]) -> Median:
    return Median(tuple(d for n, d in runs for _ in range(n)))


def sample() -> Report:
    from interscambio.reconciliation import kinds as k
    from interscambio.report.figures import discrepancies, flows

    label = {code: kind.label for code, kind in k.KINDS.items()}
    found = [
        (k.RENEWAL, label[k.RENEWAL], 212, 198, 3, 41, _days((90, 1.0), (108, 4.0))),
        (k.DOMICILE, label[k.DOMICILE], 57, 31, 9, 40, _days((31, 12.0))),
        (k.PERSONAL_DATA, label[k.PERSONAL_DATA], 23, 20, 4, 6, _days((20, 6.0))),
        (k.EXPIRED, label[k.EXPIRED], 88, 61, 0, 45, _days((61, 20.0))),
        (k.CANCELLED_HOLDER, label[k.CANCELLED_HOLDER], 3, 2, 0, 1, _days((1, 9.0), (1, 15.0))),
    ]
    ui, inps, ana = "Ufficio Immigrazione di Torino", "INPS Torino", "Anagrafe di Torino"
    purposes = ("senza finalità", "Rinnovo del permesso", "Verifica del domicilio", "Cittadinanza")
    one = ("Rinnovi",)
    sections = (
        Section("flussi", "Flussi inviati e ricevuti", True, (_table(
            "flussi", "Flussi del trimestre", flows.COLUMNS,
            [("out-anagrafe", "anagrafe inviati", 6, 5, 1, 0, 1875, 12, 0),
             ("in-permessi", "permessi ricevuti", 3, 2, 1, 0, 2410, 3, 1)]),)),
        Section("discrepanze", "Discrepanze aperte e risolte", True, (_table(
            "discrepanze", "Discrepanze per tipo", discrepancies.COLUMNS, found,
            column_totals=True),)),
        Section("rinnovi", "Rinnovi registrati senza che il cittadino torni allo sportello", True, (
            _table("rinnovi", "Rinnovi registrati", one,
                   [("automatici", "dalla riconciliazione", 176),
                    ("operatore", "da un operatore (coda di lavoro)", 22)], column_totals=True),
            _table("cancellazioni_evitate", "Cancellazioni evitate", ("Residenti",),
                   [("evitate", "rinnovo con il permesso precedente già scaduto", 64)]))),
        Section("avvisi", "Avvisi ai residenti", True, (_table(
            "avvisi", "Avvisi inviati per tipo", ("Avvisi",),
            [("in_scadenza", "permesso in scadenza", 131),
             ("scaduto", "permesso scaduto senza rinnovo noto", 47)], column_totals=True),)),
        Section("consultazioni", "Consultazioni per ufficio e finalità", True, (_table(
            "consultazioni", "Letture di dati personali", purposes,
            [(ui, ui, 0, 1430, 220, 3), (inps, inps, 960, 0, 0, 0), (ana, ana, 0, 12, 85, 2)],
            column_totals=True, row_totals=True),)),
        Section("anomalie", "Anomalie negli accessi", True, (_table(
            "anomalie", "Segnalazioni per regola", ("Segnalazioni",),
            [("volume", "volume oltre il consueto", 0), ("fuori_orario", "letture fuori orario", 7),
             ("molti_uffici", "persona consultata da molti uffici", 2)], column_totals=True),)),
    )  # fmt: skip
    return Report("2026Q1", "2026-01-01", "2026-03-31", "Comune sintetico (000000)", "comune",
                  "2026-04-02 09:00", sections)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--dpi", type=int, default=60)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "interscambio.project.settings")
    import django

    django.setup()
    from interscambio.report import pdf
    from interscambio.report.suppression import shown

    if shutil.which("pdftoppm") is None:
        print("pdftoppm is missing: apt-get install poppler-utils", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "rapporto-esempio.pdf"
    path.write_bytes(pdf.write(shown(sample())))
    target = args.out / "report"
    command = ["pdftoppm", "-r", str(args.dpi), "-png", str(path), str(target)]
    subprocess.run(command, check=True)  # noqa: S603 - our own file and arguments
    pages = sorted(args.out.glob("report-*.png"))
    for page in pages:
        print(f"{page} ({page.stat().st_size:,} bytes)")
    return 0 if pages else 1


if __name__ == "__main__":
    raise SystemExit(main())
