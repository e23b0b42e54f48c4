# SPDX-License-Identifier: EUPL-1.2
"""Any list of the portal as a CSV or XLSX file, audited.

A view hands over how to read its list (`read`, returning a `Table`) rather than the rows
themselves, so that the read, the writing of the file and the access-log entry happen in one
transaction, the entry appended last, before the file leaves (as consultation/reads.py does
for a person): a failure to write leaves no entry, since no data left.

Text that a spreadsheet would run as a formula (a user name or a search typed as `=...`)
stays text: XLSX cells are typed as strings, and in CSV such a value gets a leading `'`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final, TypeVar

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from interscambio.audit import actions, log

Cell = str | int | float | date | datetime | None

CSV: Final = "csv"
XLSX: Final = "xlsx"
CONTENT_TYPES: Final = {
    CSV: "text/csv; charset=utf-8",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# The characters with which a spreadsheet starts a formula (OWASP, "CSV injection").
FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")
WIDEST: Final = 60  # characters: a longer text wraps in the cell rather than a wider column


@dataclass(frozen=True)
class Table:
    """A list as its page shows it: `name` names it in the log and in the file name;
    `records` are the ids of the people it lists (`residente:<id>`), for lists of people."""

    name: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    records: Sequence[str] = field(default_factory=tuple)


class TooLong(Exception):
    """The list is longer than one file may hold (`EXPORT_MAX_ROWS`)."""


Row = TypeVar("Row")


def capped(rows: QuerySet[Any, Row]) -> list[Row]:
    """The rows of a list to export, at most `EXPORT_MAX_ROWS`, read with one more to tell."""
    limit = settings.EXPORT_MAX_ROWS
    read = list(rows[: limit + 1])
    if len(read) > limit:
        raise TooLong(limit)
    return read


def filters_of(request: HttpRequest) -> str:
    """The page's filters as a query string, without its page number and format: what the
    pagination and the download links add theirs to."""
    kept = request.GET.copy()
    for name in ("pagina", "formato"):
        kept.pop(name, None)
    return kept.urlencode()


def wanted(request: HttpRequest) -> str | None:
    """The format asked for with `?formato=`, or None for the page itself."""
    return request.GET.get("formato") or None


def _local(moment: datetime) -> datetime:
    # Spreadsheets have no time zones: the office reads its own local time.
    return timezone.localtime(moment).replace(tzinfo=None) if timezone.is_aware(moment) else moment


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{_local(value):%d/%m/%Y %H:%M:%S}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    text = str(value)
    if isinstance(value, str) and text.startswith(FORMULA_START):
        return "'" + text
    return text


def to_csv(table: Table) -> bytes:
    """UTF-8 with a byte-order mark and ";" between fields, dates as dd/mm/yyyy: without the
    mark the spreadsheet an Italian office opens this with reads it as Windows-1252 and garbles
    every accented or non-Latin name, and with an Italian locale it expects ";" (the comma is
    the decimal separator), as notices/mailmerge.py writes its letters."""
    stream = io.StringIO(newline="")
    writer = csv.writer(stream, delimiter=";")
    writer.writerow(table.headers)
    writer.writerows([_text(v) for v in row] for row in table.rows)
    return stream.getvalue().encode("utf-8-sig")


def to_xlsx(table: Table) -> bytes:
    """One sheet: the header row bold and frozen, dates as dates, columns as wide as their
    longest value (up to WIDEST)."""
    # openpyxl is imported by the download that needs it, not by every command's URL checks.
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.worksheets[0]  # a new workbook has one sheet
    sheet.title = table.name[:31]  # Excel's limit on a sheet's name
    sheet.append(list(table.headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [len(str(h)) for h in table.headers]
    for number, row in enumerate(table.rows, start=2):
        for column, value in enumerate(row, start=1):
            _put(sheet.cell(row=number, column=column), value)
            widths[column - 1] = max(widths[column - 1], len(_text(value)))
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = min(max(width, 6) + 2, WIDEST)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _put(cell: Any, value: Cell) -> None:
    if isinstance(value, datetime):
        cell.value, cell.number_format = _local(value), "DD/MM/YYYY HH:MM:SS"
    elif isinstance(value, date):
        cell.value, cell.number_format = value, "DD/MM/YYYY"
    else:
        cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"  # never a formula, whatever the text starts with


WRITERS: Final[dict[str, Callable[[Table], bytes]]] = {CSV: to_csv, XLSX: to_xlsx}


def download(
    request: HttpRequest, read: Callable[[], Table], kind: str, filters: dict[str, Any]
) -> HttpResponse:
    """The list `read` returns, as a file of `kind` (`csv` or `xlsx`), its export appended to
    the access log with the list's name, the filters and the people it lists."""
    if kind not in WRITERS:
        known = ", ".join(sorted(WRITERS))
        text = _("Formato «%(kind)s» non disponibile: si può scegliere tra %(known)s.")
        return HttpResponseBadRequest(
            text % {"kind": kind, "known": known}, content_type="text/plain; charset=utf-8"
        )
    acting = request.acting  # type: ignore[attr-defined]
    with transaction.atomic():
        try:
            table = read()
        except TooLong as too_long:
            text = _(
                "L'elenco supera le %(limit)s righe che un file può contenere: restringere i "
                "filtri (per esempio il periodo) e scaricare in più parti."
            )
            return HttpResponse(
                text % {"limit": f"{too_long.args[0]:,}".replace(",", ".")},
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        content = WRITERS[kind](table)
        log.append(
            actions.EXPORT,
            user=request.user.get_username(),
            office=acting.office.name,
            role=acting.role,
            query={
                "elenco": table.name,
                "filtri": filters,
                "formato": kind,
                "righe": len(table.rows),
            },
            records=table.records,
        )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(content, content_type=CONTENT_TYPES[kind])
    response["Content-Disposition"] = f'attachment; filename="{table.name}-{stamp}.{kind}"'
    return response
