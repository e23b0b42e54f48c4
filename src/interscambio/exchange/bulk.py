# SPDX-License-Identifier: EUPL-1.2
"""Set-based inserts for imports: COPY on PostgreSQL, batched executemany elsewhere.

Both run inside the caller's transaction, so an import that fails halfway leaves nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from django.db import connection
from django.db.models import Model

BATCH = 5000


def bulk_insert(
    model: type[Model], fields: Sequence[str]
) -> AbstractContextManager[Callable[[Sequence[Any]], None]]:
    """Yields `put(row)`; rows are tuples in the order of `fields` (JSON fields as text)."""
    columns = [model._meta.get_field(name).column for name in fields]
    return bulk_insert_into(model._meta.db_table, columns)


@contextmanager
def bulk_insert_into(
    table_name: str, column_names: Sequence[str]
) -> Iterator[Callable[[Sequence[Any]], None]]:
    """The same for any table, a temporary one included; a constraint the rows break raises
    Django's IntegrityError on either database."""
    table = connection.ops.quote_name(table_name)
    columns = ", ".join(connection.ops.quote_name(c) for c in column_names)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # psycopg's own cursor, for COPY
            with (
                connection.wrap_database_errors,
                raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
            ):
                yield copy.write_row
            return
        marks = ", ".join(["%s"] * len(column_names))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
        pending: list[Sequence[Any]] = []

        def put(row: Sequence[Any]) -> None:
            pending.append(row)
            if len(pending) >= BATCH:
                cursor.executemany(sql, pending)
                pending.clear()

        yield put
        if pending:
            cursor.executemany(sql, pending)
