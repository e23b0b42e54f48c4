# SPDX-License-Identifier: EUPL-1.2
"""The portal's lists as CSV and XLSX: each file parses back to the rows the page shows under
the same filters, its export is in the access log with the list and the filters, and whoever
may not see a list cannot export it."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from interscambio.audit import actions, log
from interscambio.audit.models import LogEntry
from interscambio.portal import tables
from tests import portal_world
from tests.portal_world import login

TURIN = "Ufficio Immigrazione di Torino"


def csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf"), "no byte-order mark"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def xlsx_rows(content: bytes) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def last_export() -> dict[str, Any]:
    entry = LogEntry.objects.filter(action=actions.EXPORT).order_by("-index").first()
    assert entry is not None, "no export entry"
    return entry.entry


def reads(user: str, count: int, at: datetime | None = None) -> None:
    for n in range(count):
        log.append(
            actions.VIEW,
            user=user,
            office=TURIN,
            role="consultatore_questura",
            purpose="rinnovo_permesso",
            case_reference=f"PRAT/{n}",
            records=[f"residente:R000{n + 1}"],
            at=None if at is None else at + timedelta(minutes=n),
        )


@pytest.fixture
def supervisor(world: portal_world.World) -> Client:
    client = Client()
    login(client, "supervisore")
    return client


def page_indexes(html: str) -> list[int]:
    body = html.split('data-testid="log-table"')[1].split("</tbody>")[0]
    return [int(n) for n in re.findall(r"<tr><td>(\d+)</td>", body)]


def test_the_log_as_csv_has_the_rows_the_page_shows(supervisor: Client) -> None:
    reads("mario.rossi", 3)
    reads("ilaria.bianchi", 2)
    filters = {"utente": "rossi", "azione": actions.VIEW}
    shown = page_indexes(supervisor.get("/registro/", filters).content.decode())
    answer = supervisor.get("/registro/", {**filters, "formato": "csv"})
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
    assert re.fullmatch(
        r'attachment; filename="registro-accessi-\d{8}-\d{4}\.csv"',
        answer["Content-Disposition"],
    )
    header, *rows = csv_rows(answer.content)
    assert header[:3] == ["N.", "Quando", "Utente"]
    assert len(shown) == 3 and [int(r[0]) for r in rows] == shown
    assert {r[2] for r in rows} == {"mario.rossi"}
    assert all(r[9].startswith("residente:R000") for r in rows)
    moment = LogEntry.objects.get(index=shown[0]).at
    assert rows[0][1] == f"{timezone.localtime(moment):%d/%m/%Y %H:%M:%S}"


def test_the_log_as_xlsx_has_the_same_rows_with_dates_as_dates(supervisor: Client) -> None:
    reads("mario.rossi", 2)
    reads("ilaria.bianchi", 1)
    filters = {"utente": "bianchi"}
    shown = page_indexes(supervisor.get("/registro/", filters).content.decode())
    answer = supervisor.get("/registro/", {**filters, "formato": "xlsx"})
    assert answer["Content-Disposition"].endswith('.xlsx"')
    book = load_workbook(io.BytesIO(answer.content))
    sheet = book.worksheets[0]
    assert all(cell.font.bold for cell in sheet[1])
    assert (sheet.column_dimensions["C"].width or 0) >= len("ilaria.bianchi")
    header, *rows = xlsx_rows(answer.content)
    assert header[2] == "Utente"
    assert [r[0] for r in rows] == shown and len(shown) == 1
    assert rows[0][2] == "ilaria.bianchi" and isinstance(rows[0][1], datetime)
    moment = timezone.localtime(LogEntry.objects.get(index=shown[0]).at)
    assert rows[0][1] == moment.replace(tzinfo=None, microsecond=rows[0][1].microsecond)


def test_an_export_is_in_the_log_with_the_list_and_its_filters(supervisor: Client) -> None:
    reads("mario.rossi", 2)
    supervisor.get("/registro/", {"utente": "rossi", "dal": "2026-01-01", "formato": "csv"})
    entry = last_export()
    assert entry["user"] == "supervisore" and entry["role"] == "supervisore_prefettura"
    assert entry["query"] == {
        "elenco": "registro-accessi",
        "filtri": {"utente": "rossi", "dal": "2026-01-01"},
        "formato": "csv",
        "righe": 2,  # mario.rossi's two reads, this year
    }
    # The log names what others read; exporting it reads no one.
    assert entry["records"] == []


def test_the_anomalies_export_as_both_formats_with_the_page_rows(supervisor: Client) -> None:
    night = timezone.make_aware(
        datetime.combine(timezone.localdate() - timedelta(days=2), datetime.min.time())
    ) + timedelta(hours=3)
    reads("nottambulo", 3, at=night)
    page = supervisor.get("/registro/anomalie/", {"giorni": 7}).content.decode()
    assert "nottambulo" in page.split('id="h-hours"')[1].split("</section>")[0]
    header, *rows = csv_rows(
        supervisor.get("/registro/anomalie/", {"giorni": 7, "formato": "csv"}).content
    )
    assert header[:3] == ["tipo", "giorno", "utente"]
    night_rows = [r for r in rows if r[0] == "fuori_orario" and r[2] == "nottambulo"]
    assert [(r[1], r[2], r[5]) for r in night_rows] == [(f"{night:%d/%m/%Y}", "nottambulo", "3")]
    assert last_export()["query"] == {
        "elenco": "anomalie",
        "filtri": {"giorni": 7},
        "formato": "csv",
        "righe": len(rows),
    }
    sheet = xlsx_rows(
        supervisor.get("/registro/anomalie/", {"giorni": 7, "formato": "xlsx"}).content
    )
    # The supervisor's own reads are in the log too, and off hours when the suite runs late:
    # only the reads this test made are compared.
    night_cells = [r for r in sheet[1:] if r[0] == "fuori_orario" and r[2] == "nottambulo"]
    assert [(r[1], r[2], r[5]) for r in night_cells] == [
        (datetime.combine(night.date(), datetime.min.time()), "nottambulo", 3)
    ]
    others = [r for r in sheet[1:] if r[2] not in ("nottambulo", "supervisore")]
    assert len(others) == len([r for r in rows if r[2] not in ("nottambulo", "supervisore")])


@pytest.mark.parametrize("username", ["operatore", "agente", "verificatore", "senza_ruolo"])
@pytest.mark.parametrize("path", ["/registro/", "/registro/anomalie/"])
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_who_may_not_see_a_list_cannot_export_it(
    username: str, path: str, kind: str, world: portal_world.World
) -> None:
    reads("mario.rossi", 1)
    client = Client()
    login(client, username)
    answer = client.get(path, {"formato": kind})
    assert answer.status_code == 403
    assert "attachment" not in answer.get("Content-Disposition", "")
    assert not LogEntry.objects.filter(action=actions.EXPORT).exists()


@pytest.mark.parametrize("path", ["/registro/", "/registro/anomalie/"])
def test_anonymous_is_sent_to_the_login(path: str, world: portal_world.World) -> None:
    answer = Client().get(path, {"formato": "csv"})
    assert answer.status_code == 302 and answer["Location"].startswith("/accesso/")
    assert not LogEntry.objects.filter(action=actions.EXPORT).exists()


def test_an_unknown_format_is_refused_and_leaves_no_entry(supervisor: Client) -> None:
    answer = supervisor.get("/registro/", {"formato": "pdf"})
    assert answer.status_code == 400 and "pdf" in answer.content.decode()
    assert not LogEntry.objects.filter(action=actions.EXPORT).exists()


def test_a_list_longer_than_a_file_may_hold_is_refused_and_leaves_no_entry(
    supervisor: Client, settings: Any
) -> None:
    reads("agente", 3)
    total = LogEntry.objects.count()
    settings.EXPORT_MAX_ROWS = total - 1
    refused = supervisor.get("/registro/", {"formato": "csv"})
    assert refused.status_code == 413 and "restringere i filtri" in refused.content.decode()
    assert not LogEntry.objects.filter(action=actions.EXPORT).exists()
    settings.EXPORT_MAX_ROWS = total
    done = supervisor.get("/registro/", {"formato": "csv"})
    assert done.status_code == 200 and len(csv_rows(done.content)) == total + 1  # and headers


def test_the_download_links_keep_the_filters(supervisor: Client) -> None:
    page = supervisor.get("/registro/", {"utente": "rossi", "pagina": "1"}).content.decode()
    assert 'href="?utente=rossi&amp;formato=xlsx"' in page


TABLE = tables.Table(
    "prova",
    ["nome", "giorno", "quante"],
    [['=HYPERLINK("x")', date(2026, 3, 1), 4], ["Ñandú Çelik 王", None, 0]],
)


def test_text_that_looks_like_a_formula_stays_text() -> None:
    rows = csv_rows(tables.to_csv(TABLE))
    assert rows[1] == ['\'=HYPERLINK("x")', "01/03/2026", "4"]
    cells = xlsx_rows(tables.to_xlsx(TABLE))
    assert cells[1] == ['=HYPERLINK("x")', datetime(2026, 3, 1), 4]
    cell = load_workbook(io.BytesIO(tables.to_xlsx(TABLE))).worksheets[0]["A2"]
    assert cell.data_type == "s"


def test_names_in_any_script_survive_both_formats() -> None:
    assert csv_rows(tables.to_csv(TABLE))[2] == ["Ñandú Çelik 王", "", "0"]
    assert xlsx_rows(tables.to_xlsx(TABLE))[2] == ["Ñandú Çelik 王", None, 0]


@pytest.fixture
def flows(world: portal_world.World) -> None:
    from interscambio.exchange.models import Flow, Partner

    partner = Partner.objects.create(
        node_id="TO", name="Questura di Torino", since=timezone.localdate() - timedelta(days=80)
    )
    common = {"partner": partner, "flow_type": "anagrafe", "direction": "out"}
    Flow.objects.create(**common, sequence=1, sha256="1" * 64, state="acknowledged",
                        payload="out/1", closed=timezone.now())  # fmt: skip
    Flow.objects.create(**common, sequence=2, sha256="2" * 64, state="queued", payload="out/2",
                        attempts=2, last_error="connection refused")  # fmt: skip


def section_cells(html: str, section: str) -> list[list[str]]:
    body = html.split(f'id="{section}"')[1].split("</tbody>")[0].split("<tbody>")[1]
    return [re.findall(r"<td>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", body)]


def test_the_exchange_lists_export_with_the_rows_the_page_shows(
    supervisor: Client, flows: None
) -> None:
    html = supervisor.get("/scambio/").content.decode()
    outbox = section_cells(html, "h-outbox")
    header, *rows = csv_rows(
        supervisor.get("/scambio/", {"elenco": "uscita", "formato": "csv"}).content
    )
    assert header[0] == "Flusso" and [r[:2] for r in rows] == [c[:2] for c in outbox]
    assert rows[0][3] == "connection refused"
    assert last_export()["query"] == {
        "elenco": "flussi-in-uscita", "filtri": {"elenco": "uscita"}, "formato": "csv", "righe": 1
    }  # fmt: skip
    calendar = section_cells(html, "h-partner-TO")
    sheet = xlsx_rows(
        supervisor.get("/scambio/", {"elenco": "calendario", "formato": "xlsx"}).content
    )
    assert sheet[0][0] == "Partner" and len(sheet) - 1 == len(calendar) > 2
    assert [[str(v) for v in r[1:4]] for r in sheet[1:]] == [c[:3] for c in calendar]
    inbox = csv_rows(supervisor.get("/scambio/", {"elenco": "entrata", "formato": "csv"}).content)
    assert inbox == [["Flusso", "Ricevuto il"]]  # nothing received: the page says "Nessuno."


def test_an_unknown_exchange_list_is_refused(supervisor: Client, flows: None) -> None:
    answer = supervisor.get("/scambio/", {"elenco": "tutto", "formato": "csv"})
    assert answer.status_code == 400 and "tutto" in answer.content.decode()
    assert not LogEntry.objects.filter(action=actions.EXPORT).exists()


def test_the_exchange_lists_are_not_for_the_consultants(flows: None) -> None:
    client = Client()
    login(client, "agente")
    assert client.get("/scambio/", {"elenco": "uscita", "formato": "csv"}).status_code == 403
    assert Client().get("/scambio/", {"elenco": "uscita", "formato": "csv"}).status_code == 302


def test_the_headers_follow_the_readers_language(supervisor: Client) -> None:
    answer = supervisor.get("/registro/", {"formato": "csv"}, headers={"Accept-Language": "en"})
    assert csv_rows(answer.content)[0][:3] == ["No.", "When", "User"]


def test_a_bad_filter_is_refused_rather_than_exporting_the_whole_log(supervisor: Client) -> None:
    reads("mario.rossi", 1)
    answer = supervisor.get("/registro/", {"dal": "31/02/2026", "formato": "xlsx"})
    assert answer.status_code == 400 and answer.content.decode().startswith("dal: ")
    assert not LogEntry.objects.filter(action=actions.EXPORT).exists()
