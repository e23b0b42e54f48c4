# SPDX-License-Identifier: EUPL-1.2
"""Sample letters with synthetic people, rendered to PNG with pdftoppm: the pictures in
docs/screenshots/ and CI's check that a notice PDF renders (.ci/run).

    python -m interscambio.notices.samples --out DIR [--dpi 100]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Final

# The synthetic person of each sample page, with the language of their letter.
SAMPLES: Final = (
    ("it", "in_scadenza", "SILVA PEREIRA ANA", "VIA GARIBALDI 10 int. 5"),
    ("ar", "scaduto", "EL AMRANI FATIMA", "CORSO GIULIO CESARE 12B"),
    ("zh", "in_scadenza", "ZHANG WEI", "VIA NIZZA 140"),
    ("bn", "scaduto", "RAHMAN MOHAMMAD", "VIA PRINCIPE TOMMASO 3"),
    ("ur", "scaduto", "KHAN AYESHA", "CORSO VERCELLI 25"),
)
SENT_ON: Final = date(2026, 12, 3)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--dpi", type=int, default=100)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "interscambio.project.settings")
    import django

    django.setup()
    from interscambio.notices import pdf

    if shutil.which("pdftoppm") is None:
        print("pdftoppm is missing: apt-get install poppler-utils", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    letters = [
        pdf.letter_for(f"0/{n}", name, (street, "10122 Torino"), language, kind,
                       date(2026, 9, 1) if kind == "scaduto" else date(2027, 1, 20), SENT_ON)
        for n, (language, kind, name, street) in enumerate(SAMPLES, 1)
    ]  # fmt: skip
    path = args.out / "avvisi-esempio.pdf"
    pages = pdf.write(letters, SENT_ON, path)
    for page, (language, *_rest) in enumerate(SAMPLES, 1):
        target = args.out / f"notice-{language}"
        command = ["pdftoppm", "-r", str(args.dpi), "-png", "-gray", "-singlefile"]
        command += ["-f", str(page), "-l", str(page), str(path), str(target)]
        subprocess.run(command, check=True)  # noqa: S603 - our own file and arguments
        size = target.with_suffix(".png").stat().st_size
        print(f"{target.with_suffix('.png')} ({size:,} bytes)")
    print(f"{path}: {pages} pages")
    return 0 if pages == len(SAMPLES) else 1


if __name__ == "__main__":
    sys.exit(main())
