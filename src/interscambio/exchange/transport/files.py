# SPDX-License-Identifier: EUPL-1.2
"""File transport: signed flows and receipts in folders an SFTP or PEC gateway moves around.

A flow travels as two files: `NAME.ndjson` and its detached signature `NAME.ndjson.jws`, the
signature written first and each file renamed into place once complete, so a reader that sees
the `.ndjson` sees it whole and signed. A receipt travels the same way as
`NAME.ricevuta.json` with `NAME.ricevuta.json.jws`. A flow taken in moves into the node's
flow store; what is left of an arrival moves to `done/`.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from interscambio.exchange.transport import TransportError

FLOW_SUFFIX, RECEIPT_SUFFIX, SIGNATURE_SUFFIX = ".ndjson", ".ricevuta.json", ".jws"


def _write_partial(folder: Path, name: str, data: bytes | Path) -> Path:
    partial = folder / f".{name}.partial"
    try:
        if isinstance(data, Path):
            shutil.copyfile(data, partial)
        else:
            partial.write_bytes(data)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise TransportError(f"cannot write {folder / name}: {error.strerror or error}") from None
    return partial


def put_signed(folder: Path, name: str, body: bytes | Path, signature: str) -> Path:
    """Write `name` and `name.jws` into `folder` (signature first).

    Both are written in full before either is renamed into place: a disk that fills up halfway
    leaves nothing behind, not even a signature without its file."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise TransportError(f"cannot create {folder}: {error.strerror or error}") from None
    signed = _write_partial(folder, name + SIGNATURE_SUFFIX, signature.encode("ascii"))
    try:
        written = _write_partial(folder, name, body)
    except TransportError:
        signed.unlink(missing_ok=True)
        raise
    try:
        signed.replace(folder / (name + SIGNATURE_SUFFIX))
        written.replace(folder / name)
    except OSError as error:
        signed.unlink(missing_ok=True)
        written.unlink(missing_ok=True)
        raise TransportError(f"cannot write {folder / name}: {error.strerror or error}") from None
    return folder / name


@dataclass(frozen=True)
class Arrival:
    """A file found in an inbox, with its signature ('' when the signature file is missing)."""

    path: Path
    signature: str

    @property
    def is_receipt(self) -> bool:
        return self.path.name.endswith(RECEIPT_SUFFIX)

    def done(self) -> None:
        """Move the file (if still there) and its signature to the inbox's `done/`."""
        folder = self.path.parent / "done"
        folder.mkdir(exist_ok=True)
        for path in (self.path, self.path.with_name(self.path.name + SIGNATURE_SUFFIX)):
            if path.exists():
                path.replace(folder / path.name)


def arrivals(folder: Path) -> Iterator[Arrival]:
    """Flows and receipts waiting in `folder`, oldest name first."""
    if not folder.is_dir():
        return
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.name.startswith("."):
            continue
        if not path.name.endswith((FLOW_SUFFIX, RECEIPT_SUFFIX)):
            continue
        signature_path = path.with_name(path.name + SIGNATURE_SUFFIX)
        signature = (
            signature_path.read_text(encoding="ascii", errors="replace").strip()
            if signature_path.exists()
            else ""
        )
        yield Arrival(path, signature)
