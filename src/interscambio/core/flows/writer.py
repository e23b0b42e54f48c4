# SPDX-License-Identifier: EUPL-1.2
"""Writing a flow: the header line, then each record on its own line, hashing as it goes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from interscambio.core.flows.records import Record, encode_line
from interscambio.core.flows.spec import Header


def _line(data: dict[str, Any]) -> bytes:
    # Fixed separators and no escaping of non-ASCII: the same data always gives the same bytes.
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


class FlowWriter:
    """Streams a flow to a binary file; memory stays flat whatever the number of records.

    The header announces the record count, so the caller knows it beforehand (a COUNT query);
    `close()` refuses a flow whose records do not add up to it."""

    def __init__(self, stream: IO[bytes], header: Header) -> None:
        self._stream = stream
        self._header = header
        self._sha = hashlib.sha256()
        self.written = 0
        self._put(_line(header.to_json()))

    def _put(self, data: bytes) -> None:
        self._sha.update(data)
        self._stream.write(data)

    def write(self, record: dict[str, Any] | Record) -> None:
        """One record: a dict of its JSON object, or its struct (the same bytes either way)."""
        self.written += 1
        self._put(_line(record) if isinstance(record, dict) else encode_line(record))

    def close(self) -> str:
        """The SHA-256 (hex) of the flow's bytes, for the next flow's `hashPrecedente`."""
        if self.written != self._header.record_count:
            raise ValueError(
                f"the header announces {self._header.record_count} records, "
                f"{self.written} were written"
            )
        return self._sha.hexdigest()

    def __enter__(self) -> FlowWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if kind is None:
            self.close()


def write_flow(path: Path, header: Header, records: Iterable[dict[str, Any] | Record]) -> str:
    """Write a whole flow to `path` (atomically: a temporary file renamed); returns its hash."""
    partial = path.with_name(path.name + ".partial")
    try:
        with partial.open("wb") as stream:
            writer = FlowWriter(stream, header)
            for record in records:
                writer.write(record)
            digest = writer.close()
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(path)
    return digest
