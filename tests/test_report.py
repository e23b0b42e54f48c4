# SPDX-License-Identifier: EUPL-1.2
"""The quarterly report: every figure against a quarter whose truth is known, suppression,
no personal data in any of its forms, the page, the PDF and their entries in the access log."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from interscambio.audit import actions
from interscambio.audit.models import LogEntry
from interscambio.report import quarter
from interscambio.report.build import build
from interscambio.report.suppression import SMALL, WITHHELD, count, shown, total
from interscambio.report.tables import Median
from tests import portal_world, report_quarter
from tests.portal_world import login

Q1 = quarter.Quarter(2026, 1)
# Whatever names a resident or a member of staff in the fixture.
PERSONAL = ("R0001", "R0002", "R0003", "BENNANI", "MOHAMMED", "FATIMA", "KOWALSKA",
            "BNNMHM85C12Z330T", "BNNFTM88D52Z330K", "KWLDRA90A41Z129Q", "agente",
            "inps.client", "PR-2026-1")  # fmt: skip


@pytest.fixture
def quarter_world(world: portal_world.World) -> portal_world.World:
    report_quarter.build()
    return world


@pytest.mark.parametrize(
    "text, expected",
    [("2026Q1", Q1), ("2026q4", quarter.Quarter(2026, 4)), (" 2025Q2 ", quarter.Quarter(2025, 2))],
)
def test_a_quarter_is_read_from_its_name(text: str, expected: quarter.Quarter) -> None:
    assert quarter.parse(text) == expected


@pytest.mark.parametrize("text", ["2026Q5", "2026Q0", "2026-Q1", "Q1 2026", "26Q1", "", "2026"])
def test_a_wrong_quarter_says_how_to_write_one(text: str) -> None:
    with pytest.raises(ValueError, match=r"e\.g\. 2026Q1"):
        quarter.parse(text)


def test_the_quarters_days_and_the_last_complete_one() -> None:
    assert (Q1.first_day, Q1.last_day) == (date(2026, 1, 1), date(2026, 3, 31))
    assert quarter.Quarter(2024, 1).last_day == date(2024, 3, 31)
    assert quarter.Quarter(2025, 4).next() == Q1 and Q1.previous() == quarter.Quarter(2025, 4)
    assert quarter.last_complete(date(2026, 4, 1)) == Q1
    assert quarter.last_complete(date(2026, 3, 31)) == quarter.Quarter(2025, 4)


def test_small_counts_and_the_totals_that_would_reveal_them_are_suppressed() -> None:
    assert [count(n) for n in (0, 1, 4, 5, 12)] == [0, SMALL, SMALL, 5, 12]
    assert total([6, 4]) == WITHHELD  # 10 - 6 would give the 4 away
    assert total([4, 4]) == 8  # two hidden parts adding up to 5 or more stay hidden
    assert total([3, 1, 0]) == SMALL and total([0, 0]) == 0 and total([7, 5]) == 12
    assert total([Median((1.0, 2.0, 3.0, 4.0))]) == WITHHELD
    assert total([Median((1.0, 2.0)), Median((3.0, 4.0, 10.0))]) == 3.0


def test_every_figure_equals_the_quarters_truth(quarter_world: portal_world.World) -> None:
    report = build(Q1)
    for (section, table, row), expected in report_quarter.TRUTH.items():
        found = report.section(section)
        assert found.applicable
        t = next(t for t in found.tables if t.key == table)
        cells = next(r for r in t.rows if r.key == row).cells
        got = tuple(c.values if isinstance(c, Median) else c for c in cells)
        assert got == expected, (section, table, row)


@pytest.mark.django_db
def test_a_discrepancy_closed_twice_in_the_quarter_counts_once_by_its_last_closing() -> None:
    from datetime import timedelta

    from interscambio.reconciliation import kinds
    from interscambio.report.figures import discrepancies

    day = report_quarter.at(date(2026, 1, 10))

    def days(n: int) -> Any:
        return day + timedelta(days=n)

    then_resolved = [(kinds.DISMISSED, days(1)), (kinds.OPEN, days(2)), (kinds.RESOLVED, days(8))]
    then_dismissed = [(kinds.RESOLVED, days(1)), (kinds.OPEN, days(2)), (kinds.DISMISSED, days(5))]
    report_quarter._discrepancy(1, kinds.DOMICILE, day, then_resolved)
    report_quarter._discrepancy(2, kinds.EXPIRED, day, then_dismissed)
    table = discrepancies.section(Q1, "comune").tables[0]
    cells = {r.key: r.cells for r in table.rows}
    domicile, expired = cells[kinds.DOMICILE], cells[kinds.EXPIRED]
    assert domicile[:4] == (1, 1, 0, 0) and domicile[4].values == (8.0,)
    assert expired[:4] == (1, 0, 1, 0) and expired[4].values == ()


def _row(figures: dict[str, Any], section: str, table: str, row: str) -> list[Any]:
    s = next(s for s in figures["sections"] if s["key"] == section)
    t = next(t for t in s["tables"] if t["key"] == table)
    return next(r for r in t["rows"] if r["key"] == row)["cells"]


def test_the_json_shows_the_figures_suppressed(quarter_world: portal_world.World) -> None:
    out = io.StringIO()
    call_command("report", "--quarter", "2026Q1", "--json", "--by", "tavolo", stdout=out)
    figures = json.loads(out.getvalue())
    assert figures == json.loads(json.dumps(shown(build(Q1))))
    assert _row(figures, "flussi", "flussi", "out-anagrafe") == [
        6,
        SMALL,
        SMALL,
        SMALL,
        150,
        53,
        SMALL,
    ]
    assert _row(figures, "flussi", "flussi", "in-permessi")[:4] == [SMALL, SMALL, SMALL, 0]
    renewal = _row(figures, "discrepanze", "discrepanze", "rinnovo_non_dichiarato")
    assert renewal == [6, 5, 0, SMALL, 3.0]
    assert _row(figures, "discrepanze", "discrepanze", "domicilio_diverso") == [
        SMALL,
        SMALL,
        0,
        0,
        WITHHELD,
    ]
    # Opened 6 + 4: the total would reveal the 4; the nine durations together are enough.
    assert _row(figures, "discrepanze", "discrepanze", "totale") == [
        WITHHELD,
        WITHHELD,
        SMALL,
        SMALL,
        3.0,
    ]
    assert _row(figures, "rinnovi", "rinnovi", "totale") == [WITHHELD]
    assert _row(figures, "rinnovi", "cancellazioni_evitate", "evitate") == [5]
    assert _row(figures, "avvisi", "avvisi", "in_scadenza") == [5]
    assert _row(figures, "avvisi", "avvisi", "totale") == [WITHHELD]
    ui = _row(figures, "consultazioni", "consultazioni", "Ufficio Immigrazione di Torino")
    assert ui == [0, 5, SMALL, WITHHELD]
    assert _row(figures, "consultazioni", "consultazioni", "totale") == [6, 5, 5, 16]
    assert _row(figures, "anomalie", "anomalie", "fuori_orario") == [SMALL]
    text = out.getvalue()
    assert not [p for p in PERSONAL if p in text]
    entry = LogEntry.objects.filter(action=actions.REPORT).get()
    assert (entry.user, entry.entry["query"]) == (
        "tavolo",
        {"trimestre": "2026Q1", "formato": "json"},
    )


def test_a_wrong_quarter_stops_the_command() -> None:
    with pytest.raises(CommandError, match="--quarter: quarter '2026Q7'"):
        call_command("report", "--quarter", "2026Q7", "--json")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils")
def test_the_pdf_has_the_figures_and_the_charts_and_no_one(
    quarter_world: portal_world.World, tmp_path: Path
) -> None:
    path = tmp_path / "rapporto.pdf"
    call_command("report", "--quarter", "2026Q1", "--out", str(path), stderr=io.StringIO())
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          check=True, text=True).stdout  # fmt: skip
    assert "Rapporto trimestrale per il tavolo tecnico — 2026Q1" in text
    assert "Ufficio Immigrazione di Torino" in text and "Non applicabile" not in text
    assert not [p for p in PERSONAL if p in text]
    images = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, check=True,
                            text=True).stdout.splitlines()[2:]  # fmt: skip
    assert len(images) == 3  # flows, discrepancies, consultations
    assert LogEntry.objects.filter(action=actions.REPORT, record__contains='"pdf"').count() == 1


def test_the_page_shows_the_quarter_to_the_supervisor_and_logs_it(
    quarter_world: portal_world.World,
) -> None:
    client = Client()
    login(client, "supervisore")
    page = client.get("/rapporto/?trimestre=2026Q1")
    assert page.status_code == 200
    html = page.content.decode()
    assert "data:image/png;base64," in html and "Letture di dati personali" in html
    assert not [p for p in PERSONAL if p in html]
    entry = LogEntry.objects.filter(action=actions.REPORT).get()
    assert (entry.user, entry.office) == ("supervisore", "Prefettura di Torino")
    download = client.get("/rapporto/?trimestre=2026Q1&formato=pdf")
    assert download["Content-Type"] == "application/pdf" and download.content[:5] == b"%PDF-"
    wrong = client.get("/rapporto/?trimestre=2026Q9")
    assert wrong.status_code == 400 and "e.g. 2026Q1" in wrong.content.decode()
    assert LogEntry.objects.filter(action=actions.REPORT).count() == 2


def test_a_questura_node_marks_the_comunes_sections_not_applicable(
    quarter_world: portal_world.World, settings: Any
) -> None:
    settings.NODE_ROLE = "questura"
    report = build(Q1)
    figures = shown(report)
    applicable = {s["key"]: s["applicable"] for s in figures["sections"]}
    assert applicable == {"flussi": True, "discrepanze": True, "rinnovi": False,
                          "avvisi": False, "consultazioni": False, "anomalie": False}  # fmt: skip
    # On a Questura the flows out are permits: none were sent in this world.
    assert report.section("flussi").tables[0].cell("out-permessi", 3) == 3
    assert _row(figures, "flussi", "flussi", "out-permessi")[1:4] == [0, 0, SMALL]
    kinds_shown = [r["key"] for r in figures["sections"][1]["tables"][0]["rows"]]
    assert kinds_shown == ["cancellazione_titolare", "cambio_indirizzo_titolare",
                           "straniero_sconosciuto", "totale"]  # fmt: skip


def test_the_page_speaks_english_on_request(quarter_world: portal_world.World) -> None:
    client = Client()
    login(client, "supervisore")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/rapporto/?trimestre=2026Q1").content.decode()
    assert "Quarterly report for the technical table" in html and "Download PDF" in html
