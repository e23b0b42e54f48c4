# SPDX-License-Identifier: EUPL-1.2
"""Why a flow's records were refused: every problem of every record, duplicates included.

The import inserts a flow in one pass and leaves the duplicate check to the database's unique
constraint, so that its memory does not grow with the flow. When a record fails, the import
undoes its inserts and this second pass reads the flow again for the receipt: each record's
own problems from the reader, and the idRecord values repeated in the flow from a temporary
table of (line, idRecord) that the database groups. Memory stays bounded here too: at most
LISTED rejected records are kept, the counts are whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.backends.utils import CursorWrapper

from interscambio.core.flows import FlowProblem, FlowReader
from interscambio.core.flows.reader import duplicate
from interscambio.core.flows.receipt import LISTED, Lines, valid_lines
from interscambio.exchange.bulk import bulk_insert_into
from interscambio.exchange.models import Flow

SCRATCH = "interscambio_flow_check"


@dataclass(frozen=True)
class RecordCheck:
    """What the records of a flow came to, as a receipt reports it."""

    valid_count: int
    valid: list[Lines]
    rejected_count: int = 0
    rejected: list[FlowProblem] = field(default_factory=list)
    listed_to: int | None = None


def _first_seen(table: str) -> str:
    """Each record's line, idRecord, and the first line holding the same idRecord."""
    return (
        f"SELECT line, record_id, bad, MIN(line) OVER (PARTITION BY record_id) AS first "  # noqa: S608
        f"FROM {table}"
    )


def _duplicates(cursor: CursorWrapper, table: str) -> list[FlowProblem]:
    cursor.execute(
        f"SELECT line, record_id, first FROM ({_first_seen(table)}) seen "  # noqa: S608
        "WHERE record_id <> '' AND line <> first ORDER BY line LIMIT %s",
        [LISTED],
    )
    return [duplicate(line, record_id, first) for line, record_id, first in cursor.fetchall()]


def _valid_count(cursor: CursorWrapper, table: str) -> int:
    cursor.execute(
        f"SELECT COUNT(*) FROM ({_first_seen(table)}) seen "  # noqa: S608
        "WHERE NOT bad AND (line = first OR record_id = '')"
    )
    (count,) = cursor.fetchone()
    return int(count)


def diagnose(flow: Flow) -> RecordCheck:
    """Check every record of the stored flow; runs inside the caller's transaction."""
    table = connection.ops.quote_name(SCRATCH)
    listed: list[FlowProblem] = []
    listed_lines = count = first = last = 0
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {table} "
            "(line integer NOT NULL, record_id text NOT NULL, bad boolean NOT NULL)"
        )
        try:
            with (
                flow.path.open("rb") as stream,
                bulk_insert_into(SCRATCH, ("line", "record_id", "bad")) as put,
            ):
                for item in FlowReader(stream, settings.NODE_ID, duplicates=False):
                    count += 1
                    first, last = first or item.line, item.line
                    put((item.line, item.record_id, bool(item.problems)))
                    if item.problems and listed_lines < LISTED:
                        listed.extend(item.problems)
                        listed_lines += 1
            duplicates = _duplicates(cursor, table)
            valid_count = _valid_count(cursor, table)
        finally:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
    # Each list holds the first LISTED rejected lines of its kind, so the first LISTED lines
    # of the two merged are the first LISTED rejected lines of the flow.
    problems = sorted(listed + duplicates, key=lambda p: p.line)
    lines = sorted({p.line for p in problems})[:LISTED]
    rejected_count = count - valid_count
    listed_to = lines[-1] if rejected_count > LISTED else None
    return RecordCheck(
        valid_count=valid_count,
        valid=valid_lines(first, listed_to or last, lines),
        rejected_count=rejected_count,
        rejected=[p for p in problems if p.line <= lines[-1]] if lines else [],
        listed_to=listed_to,
    )
