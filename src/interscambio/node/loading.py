# SPDX-License-Identifier: EUPL-1.2
"""How a node loads a source system's extract: check the whole file, then write it in batches.

The first pass validates every row (field rules, cross-field checks, and the checks that need
the database, such as a street code known to the gazetteer) keeping only line numbers and keys,
so memory stays flat for any size. If any row is invalid the load is refused before anything is
written, unless the caller accepts skipping invalid rows. The second pass re-reads the file and
writes the valid rows with set-based upserts inside one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import TypeVar

from django.db import connection
from django.db.models import Model

from interscambio.core.extracts import ExtractSchema, RowError, read_extract
from interscambio.core.extracts.schemas import Record

T = TypeVar("T")
BATCH_SIZE = 1000

# (column, message) pairs for a record that is well-formed but wrong against the node's data.
ContextCheck = Callable[[Record], list[tuple[str, str]]]
# Given a step's description and its total, returns the function that advances it.
Progress = Callable[[str, int], Callable[[int], None]]


def plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def no_progress(description: str, total: int) -> Callable[[int], None]:
    return lambda advance: None


def count_rows(path: Path) -> int:
    """Data rows of a CSV file, counted by newlines: only a progress bar's total relies on it."""
    newlines = 0
    last = b"\n"
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            newlines += chunk.count(b"\n")
            last = chunk[-1:]
    lines = newlines + (0 if last == b"\n" else 1)
    return max(lines - 1, 0)


def batched(items: Iterable[T], size: int = BATCH_SIZE) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


@dataclass
class FileCheck:
    """The outcome of validating one extract file."""

    path: Path
    schema: ExtractSchema
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    bad_lines: set[int] = field(default_factory=set)
    keys: set[str] = field(default_factory=set)

    @property
    def valid_rows(self) -> int:
        return self.rows - len(self.bad_lines)


class LoadError(Exception):
    """The load cannot start or cannot go on; nothing was written."""


class LoadRefused(LoadError):
    """The extract has invalid rows and skipping them was not asked for: nothing was loaded."""

    def __init__(self, checks: list[FileCheck]) -> None:
        self.checks = checks
        total = sum(len(c.errors) for c in checks)
        bad = sum(len(c.bad_lines) for c in checks)
        files = ", ".join(str(c.path) for c in checks if c.errors)
        super().__init__(
            f"{plural(total, 'error')} in {plural(bad, 'row')} of {files}: nothing was loaded "
            "(fix the rows, or load the valid ones with --skip-invalid)"
        )


def check_file(
    path: Path,
    schema: ExtractSchema,
    context_check: ContextCheck | None = None,
    progress: Progress = no_progress,
) -> FileCheck:
    result = FileCheck(Path(path), schema)
    advance = progress(f"checking {result.path.name}", count_rows(result.path))
    with read_extract(path, schema) as reader:
        for row in reader:
            result.rows += 1
            errors = row.errors
            if row.record is not None and context_check is not None:
                record_id = str(row.record[schema.key])
                errors = [
                    RowError(row.line, record_id, column, message)
                    for column, message in context_check(row.record)
                ]
            if errors:
                result.errors += errors
                result.bad_lines.add(row.line)
            elif row.record is not None:
                result.keys.add(str(row.record[schema.key]))
            advance(1)
    return result


def valid_records(check: FileCheck, progress: Progress = no_progress) -> Iterator[Record]:
    """The records of a checked file that passed every check, read again from disk."""
    advance = progress(f"loading {check.path.name}", check.rows)
    with read_extract(check.path, check.schema) as reader:
        for row in reader:
            advance(1)
            if row.record is not None and row.line not in check.bad_lines:
                yield row.record


def refuse_unless_skipping(checks: list[FileCheck], skip_invalid: bool) -> None:
    if not skip_invalid and any(c.errors for c in checks):
        raise LoadRefused(checks)


@dataclass
class LoadReport:
    """What a load read, wrote and skipped, per file."""

    checks: list[FileCheck] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    @property
    def skipped(self) -> int:
        return sum(len(c.bad_lines) for c in self.checks)


def blank_if_none(value: object) -> str:
    return "" if value is None else str(value)


def upsert(model: type[Model], objects: list[Model], unique: str) -> None:
    fields = [f.name for f in model._meta.concrete_fields if not f.primary_key and f.name != unique]
    model._default_manager.bulk_create(
        objects, update_conflicts=True, unique_fields=[unique], update_fields=fields
    )


def count_existing(model: type[Model], field_name: str, keys: set[str]) -> int:
    total = 0
    for batch in batched(sorted(keys)):
        total += model._default_manager.filter(**{f"{field_name}__in": batch}).count()
    return total


def refresh_statistics(*models: type[Model]) -> None:
    """Tell the query planner what a bulk write just did to these tables. Until autovacuum's
    next round (a minute or more on PostgreSQL; never on SQLite) it would plan as on the
    tables before, and may then read a whole table for a lookup the API makes on every call.
    Runs in the caller's transaction."""
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
