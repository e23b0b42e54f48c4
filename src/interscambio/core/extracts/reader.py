# SPDX-License-Identifier: EUPL-1.2
"""A streaming, validating reader of the extracts: one parsed record or its errors per row."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from interscambio.core.extracts.fields import FieldError
from interscambio.core.extracts.schemas import ExtractSchema, Record

csv.field_size_limit(1 << 20)


class ExtractError(Exception):
    """The file as a whole cannot be read as this extract (missing, wrong columns, not UTF-8)."""


@dataclass(frozen=True)
class RowError:
    line: int
    record: str
    field: str
    message: str

    def __str__(self) -> str:
        who = f" [{self.record}]" if self.record else ""
        return f"line {self.line}{who}, {self.field}: {self.message}"


@dataclass
class ParsedRow:
    line: int
    record: Record | None
    errors: list[RowError] = field(default_factory=list)


def _decoded_lines(stream: BinaryIO, path: Path) -> Iterator[str]:
    for number, raw in enumerate(stream, start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ExtractError(
                f"{path}: line {number} is not UTF-8 (byte 0x{raw[exc.start]:02X} at "
                f"position {exc.start + 1}); export the file as UTF-8"
            ) from None
        if number == 1:
            line = line.removeprefix("\ufeff")
        yield line


class ExtractReader:
    """Opens an extract and checks its header at once; iterating yields ParsedRow objects.

    Each row is parsed field by field, then the schema's cross-field checks run, then the
    key is checked for duplicates within the file. A row with errors has `record` None.
    """

    def __init__(self, path: Path | str, schema: ExtractSchema) -> None:
        self.path = Path(path)
        self.schema = schema
        if not self.path.is_file():
            raise ExtractError(f"{self.path}: no such file")
        self._stream = self.path.open("rb")
        self._rows = csv.reader(_decoded_lines(self._stream, self.path), strict=True)
        try:
            header = next(self._rows)
        except StopIteration:
            self.close()
            raise ExtractError(f"{self.path}: the file is empty (no header row)") from None
        except ExtractError:
            self.close()
            raise
        self.header = [name.strip() for name in header]
        self._check_header()
        self._positions = [(self.header.index(c.name), c) for c in schema.columns]
        self._seen: dict[str, int] = {}

    def _check_header(self) -> None:
        expected = self.schema.header
        missing = [name for name in expected if name not in self.header]
        unexpected = [name for name in self.header if name not in expected]
        duplicated = sorted({name for name in self.header if self.header.count(name) > 1})
        if missing or unexpected or duplicated:
            parts = []
            if missing:
                parts.append(f"missing columns: {', '.join(missing)}")
            if unexpected:
                parts.append(f"unexpected columns: {', '.join(unexpected)}")
            if duplicated:
                parts.append(f"repeated columns: {', '.join(duplicated)}")
            self.close()
            raise ExtractError(
                f"{self.path}: not a {self.schema.name} extract ({'; '.join(parts)}). "
                f"Expected the columns: {', '.join(expected)}"
            )

    def close(self) -> None:
        self._stream.close()

    def __enter__(self) -> ExtractReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[ParsedRow]:
        width = len(self.header)
        key = self.schema.key
        try:
            for cells in self._rows:
                line = self._rows.line_num
                if not cells or cells == [""]:
                    continue
                if len(cells) != width:
                    yield ParsedRow(
                        line,
                        None,
                        [
                            RowError(
                                line, "", "*", f"{len(cells)} cells where the header has {width}"
                            )
                        ],
                    )
                    continue
                yield self._parse(line, cells, key)
        except csv.Error as exc:
            raise ExtractError(
                f"{self.path}: line {self._rows.line_num}: bad CSV ({exc})"
            ) from None

    def _parse(self, line: int, cells: list[str], key: str) -> ParsedRow:
        record: Record = {}
        errors: list[RowError] = []
        record_id = cells[self.header.index(key)].strip()
        for position, column in self._positions:
            value = cells[position].strip()
            if not value:
                if column.required:
                    errors.append(RowError(line, record_id, column.name, "required, but empty"))
                record[column.name] = None
                continue
            try:
                record[column.name] = column.parse(value)
            except FieldError as exc:
                errors.append(RowError(line, record_id, column.name, str(exc)))
        if not errors:
            for check in self.schema.checks:
                errors += [RowError(line, record_id, c, m) for c, m in check(record)]
        if record_id:
            first = self._seen.setdefault(record_id, line)
            if first != line:
                errors.append(
                    RowError(line, record_id, key, f"duplicate {key} (first on line {first})")
                )
        return ParsedRow(line, None if errors else record, errors)


def read_extract(path: Path | str, schema: ExtractSchema) -> ExtractReader:
    return ExtractReader(path, schema)
