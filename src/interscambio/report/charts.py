# SPDX-License-Identifier: EUPL-1.2
"""The report's charts as PNG, drawn from the figures as shown (already suppressed).

matplotlib with the Agg backend: no display, no network. The type is Noto Sans from Debian's
fonts-noto-core when installed (notices/fonts.py's folders), else matplotlib's own DejaVu Sans.
A suppressed value is drawn as no bar, with its "<5" or "n.d." written where the bar would be:
a bar's height would give the small count away.
"""

from __future__ import annotations

import io
from functools import cache
from typing import Any, Final

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager
from matplotlib import pyplot as plt
from matplotlib.figure import Figure

from interscambio.notices import fonts

COLOURS: Final = ("#0066cc", "#cc7a00", "#5c6f82", "#008055")
WIDTH, HEIGHT, DPI = 7.5, 3.2, 110


@cache
def _family() -> str:
    for folder in fonts._folders():
        path = folder / "NotoSans-Regular.ttf"
        if path.is_file():
            font_manager.fontManager.addfont(str(path))
            return "Noto Sans"
    return "DejaVu Sans"


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()


def bars(
    title: str, categories: list[str], series: dict[str, list[Any]], *, horizontal: bool = False
) -> bytes:
    """Grouped bars: one group per category, one bar per series; values as shown."""
    plt.rcParams["font.family"] = _family()
    plt.rcParams["axes.unicode_minus"] = False  # Noto Sans has no U+2212
    figure, axes = plt.subplots(figsize=(WIDTH, HEIGHT))
    count = max(len(series), 1)
    width = 0.8 / count
    for n, (name, values) in enumerate(series.items()):
        places = [i - 0.4 + width * (n + 0.5) for i in range(len(categories))]
        heights = [_number(v) for v in values]
        colour = COLOURS[n % len(COLOURS)]
        drawn = (
            axes.barh(places, heights, height=width, label=name, color=colour)
            if horizontal
            else axes.bar(places, heights, width=width, label=name, color=colour)
        )
        labels = [str(v) if v is not None else "" for v in values]
        axes.bar_label(drawn, labels=labels, fontsize=7, padding=2)
    ticks = list(range(len(categories)))
    if horizontal:
        axes.set_yticks(ticks, categories, fontsize=7)
        axes.invert_yaxis()
    else:
        axes.set_xticks(ticks, categories, fontsize=8)
    axes.set_title(title, fontsize=10, loc="left")
    axes.spines[["top", "right"]].set_visible(False)
    if count > 1:
        axes.legend(fontsize=7, frameon=False)
    return _png(figure)


def _table(shown: dict[str, Any], section: str) -> dict[str, Any] | None:
    for s in shown["sections"]:
        if s["key"] == section and s["applicable"] and s["tables"]:
            table: dict[str, Any] = s["tables"][0]
            return table
    return None


def charts(shown: dict[str, Any]) -> dict[str, bytes]:
    """The report's charts by name, for the sections that apply and hold something."""
    drawn: dict[str, bytes] = {}
    flows = _table(shown, "flussi")
    if flows is not None:
        rows = flows["rows"]
        drawn["flussi"] = bars(
            "Periodi del trimestre: flussi in orario, in ritardo, mancanti",
            [r["label"] for r in rows],
            {flows["columns"][i]: [r["cells"][i] for r in rows] for i in (1, 2, 3)},
        )
    found = _table(shown, "discrepanze")
    if found is not None:
        rows = [r for r in found["rows"] if r["key"] != "totale" and any(r["cells"][:3])]
        if rows:
            drawn["discrepanze"] = bars(
                "Discrepanze aperte e risolte per tipo",
                [r["label"][:45] for r in rows],
                {found["columns"][i]: [r["cells"][i] for r in rows] for i in (0, 1)},
                horizontal=True,
            )
    reads = _table(shown, "consultazioni")
    if reads is not None:
        rows = [r for r in reads["rows"] if r["key"] != "totale"]
        if rows:
            # By purpose rather than the office's total, which is withheld more often.
            purposes = reads["columns"][:-1]
            drawn["consultazioni"] = bars(
                "Letture di dati personali per ufficio e finalità",
                [r["label"][:40] for r in rows],
                {p[:40]: [r["cells"][i] for r in rows] for i, p in enumerate(purposes)},
                horizontal=True,
            )
    return drawn
