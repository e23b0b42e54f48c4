# SPDX-License-Identifier: EUPL-1.2
"""Reading the two files of person records into DuckDB, refusing a malformed one clearly.

The format is the one of `interscambio link`: UTF-8 CSV with a header row, the columns
COLUMNS in any order (only `id` required; a missing column counts as empty; extra columns are
ignored), `data_nascita` as YYYY-MM-DD. An error names the file, the record and the field.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb

from interscambio.linkage.columns import COLUMNS


class LinkInputError(Exception):
    """A file cannot be linked; the message says which, where and why."""


def _header(path: Path) -> list[str]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            row = next(csv.reader(stream), None)
    except FileNotFoundError:
        raise LinkInputError(f"{path}: no such file") from None
    except UnicodeDecodeError as error:
        raise LinkInputError(f"{path}: not UTF-8 ({error.reason} in the header)") from None
    except csv.Error as error:
        raise LinkInputError(f"{path}, line 1: not CSV ({error})") from None
    if row is None:
        raise LinkInputError(f"{path}: the file is empty; it needs a header row")
    header = [name.strip().lower() for name in row]
    if "id" not in header:
        raise LinkInputError(
            f"{path}, line 1: no 'id' column in the header (found: {', '.join(header) or 'none'})"
        )
    repeated = sorted({name for name in header if header.count(name) > 1 and name in COLUMNS})
    if repeated:
        raise LinkInputError(f"{path}, line 1: column {repeated[0]!r} appears twice")
    return header


def _first(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[object, ...] | None:
    return con.execute(sql).fetchone()


def load(con: duckdb.DuckDBPyConnection, path: Path, table: str) -> int:
    """Create `table` (rn, then COLUMNS as text) from the file; returns its number of records."""
    header = _header(path)
    present = [c for c in COLUMNS if c in header]
    names = ", ".join(f"'{name}': 'VARCHAR'" for name in header)
    select = ", ".join(
        f'nullif(trim("{c}"), \'\') AS "{c}"' if c in present else f'NULL::VARCHAR AS "{c}"'
        for c in COLUMNS
    )
    try:
        con.execute(
            f"CREATE OR REPLACE TABLE {table} AS "
            f"SELECT row_number() OVER () AS rn, {select} FROM read_csv(?, header = true, "
            f"delim = ',', quote = '\"', escape = '\"', columns = {{{names}}}, "
            "strict_mode = true, null_padding = false, parallel = false)",
            [str(path)],
        )
    except duckdb.Error as error:
        message = str(error).split("\n\n")[0].replace("\n", " ")
        raise LinkInputError(f"{path}: not a valid CSV file: {message}") from None
    _check(con, path, table)
    (count,) = con.execute(f"SELECT count(*) FROM {table}").fetchone() or (0,)
    return int(count)


def _check(con: duckdb.DuckDBPyConnection, path: Path, table: str) -> None:
    # rn is the record's number; without a field spanning lines it is on line rn + 1.
    empty = _first(con, f"SELECT rn FROM {table} WHERE id IS NULL ORDER BY rn LIMIT 1")
    if empty:
        raise LinkInputError(f"{path}, record {empty[0]} (line {int(empty[0]) + 1}): id is empty")  # type: ignore[call-overload]
    twice = _first(
        con,
        f"SELECT id, list_sort(list(rn)) FROM {table} GROUP BY id HAVING count(*) > 1 "
        "ORDER BY min(rn) LIMIT 1",
    )
    if twice:
        records = ", ".join(str(n) for n in twice[1][:5])  # type: ignore[index]
        raise LinkInputError(f"{path}: id {twice[0]!r} is used by more than one record ({records})")
    bad_date = _first(
        con,
        f"SELECT rn, id, data_nascita FROM {table} WHERE data_nascita IS NOT NULL AND NOT "
        "(regexp_full_match(data_nascita, '[0-9]{4}-[0-9]{2}-[0-9]{2}') AND "
        "try_cast(data_nascita AS DATE) IS NOT NULL) ORDER BY rn LIMIT 1",
    )
    if bad_date:
        rn, record, value = bad_date
        raise LinkInputError(
            f"{path}, record {rn} (line {int(rn) + 1}) [{record}], data_nascita: "  # type: ignore[call-overload]
            f"{value!r} is not a date as YYYY-MM-DD"
        )
