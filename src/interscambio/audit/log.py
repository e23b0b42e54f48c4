# SPDX-License-Identifier: EUPL-1.2
"""Appending to the access log, signing its tree heads, verifying and exporting it.

`append` runs inside the caller's transaction, so an entry exists exactly when the read it
records happened: the caller appends before the data leaves, and if its transaction is undone
so is the entry. Appends are serialized until that transaction ends (an advisory lock on
PostgreSQL; SQLite serializes writers anyway), so a caller appends as the last thing before
it commits; should two still meet, the unique index refuses the later and its transaction
fails whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Final

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from interscambio.audit.models import LogEntry, SignedTreeHead
from interscambio.core.auditlog import (
    GENESIS,
    LogVerification,
    TreeHead,
    encode_record,
    leaf_hash,
    root_hash,
    sign_tree_head,
    utc_timestamp,
    verify_log,
    verify_tree_head,
)
from interscambio.exchange.trust import keys_dir, node_identity

# Any number, the same in every process: appends on PostgreSQL queue on this advisory lock.
APPEND_LOCK: Final = 0x1A5C_0A11


def _last_entry(cursor: Any) -> tuple[int, str] | None:
    """The last entry's index and hash, this transaction now the only one appending until it
    ends. On PostgreSQL a row lock on the last entry is not enough: a waiting transaction would
    read that same row, now no longer the last, once the lock is released. An advisory lock
    taken before reading the last entry is; the two statements go in one round trip, and each
    reads with its own snapshot, so the read sees every entry committed before the lock was
    granted. SQLite serializes writers by itself (IMMEDIATE transactions, settings.py)."""
    if connection.vendor == "postgresql":
        cursor.execute(f"SELECT pg_advisory_xact_lock({APPEND_LOCK}); {_LAST}")
        cursor.nextset()
    else:
        cursor.execute(_LAST)
    row = cursor.fetchone()
    return None if row is None else (int(row[0]), str(row[1]))


def log_id() -> str:
    return f"interscambio:{settings.NODE_ROLE}:{settings.NODE_ID}:accessi"


def append(
    action: str,
    *,
    user: str,
    office: str = "",
    role: str = "",
    query: Mapping[str, Any] | None = None,
    purpose: str = "",
    case_reference: str = "",
    records: Iterable[str | int] = (),
    at: datetime | None = None,
) -> LogEntry:
    """Append one entry: who read what, why; `records` are the ids returned, never names."""
    moment = at or timezone.now()
    entry = {
        "time": utc_timestamp(moment),
        "user": user,
        "office": office,
        "role": role,
        "action": action,
        "query": dict(query or {}),
        "purpose": purpose,
        "case": case_reference,
        "records": [str(r) for r in records],
    }
    with transaction.atomic(savepoint=False):  # the caller's transaction, or one of its own
        return _append(moment, entry)


_TABLE: Final = LogEntry._meta.db_table
# Plain SQL: every API call appends, and these two statements cost a fraction of the ORM's.
# The table name is the model's own, never input.
_LAST: Final = f'SELECT "index", leaf_hash FROM {_TABLE} ORDER BY "index" DESC LIMIT 1'  # noqa: S608
_COLUMNS: Final = ("index", "at", "user", "office", "role", "action", "purpose",
                   "case_reference", "record", "leaf_hash")  # fmt: skip
_QUOTED: Final = ", ".join('"' + c + '"' for c in _COLUMNS)  # "user" and "index" are keywords
_INSERT: Final = (
    f"INSERT INTO {_TABLE} ({_QUOTED}) VALUES ({', '.join(['%s'] * len(_COLUMNS))}) "  # noqa: S608
    "RETURNING id"
)


def _append(moment: datetime, entry: dict[str, Any]) -> LogEntry:
    with connection.cursor() as cursor:
        last = _last_entry(cursor)
        index = 0 if last is None else last[0] + 1
        previous = GENESIS if last is None else bytes.fromhex(last[1])
        record = encode_record(index, previous, entry)
        saved = LogEntry(
            index=index,
            at=moment,
            user=entry["user"],
            office=entry["office"],
            role=entry["role"],
            action=entry["action"],
            purpose=entry["purpose"],
            case_reference=entry["case"],
            record=record.decode("utf-8"),
            leaf_hash=leaf_hash(record).hex(),
        )
        values = [getattr(saved, c) for c in _COLUMNS]
        values[1] = connection.ops.adapt_datetimefield_value(moment)
        cursor.execute(_INSERT, values)
        (saved.pk,) = cursor.fetchone()
    saved._state.adding, saved._state.db = False, connection.alias
    return saved


def sign_head(now: datetime | None = None) -> SignedTreeHead:
    """Sign the log's current size and root with the node's key."""
    hashes = [bytes.fromhex(h) for h in LogEntry.objects.values_list("leaf_hash", flat=True)]
    moment = now or timezone.now()
    signed = sign_tree_head(
        node_identity(), TreeHead(log_id(), len(hashes), root_hash(hashes), moment)
    )
    return SignedTreeHead.objects.create(
        size=signed.size, root_hash=signed.root.hex(), signed_at=moment, token=signed.token
    )


def sign_head_if_due(now: datetime | None = None) -> SignedTreeHead | None:
    """Sign a head when the last one is AUDIT_HEAD_INTERVAL_MINUTES old or more (or there is
    none): heads come at a fixed interval, whether or not the log grew, so a supervisor can
    tell a quiet hour from a missing head."""
    moment = now or timezone.now()
    last = SignedTreeHead.objects.order_by("-signed_at").first()
    interval = timedelta(minutes=settings.AUDIT_HEAD_INTERVAL_MINUTES)
    if last is not None and moment - last.signed_at < interval:
        return None
    return sign_head(moment)


def certificate() -> bytes:
    return (keys_dir() / "node.crt").read_bytes()


def verify() -> LogVerification:
    """Recompute everything: each record, its link and hash, each signed head's root."""
    pem = certificate()
    heads = [
        verify_tree_head(t, pem) for t in SignedTreeHead.objects.values_list("token", flat=True)
    ]
    rows = LogEntry.objects.order_by("pk").values_list("record", "leaf_hash")
    records, hashes = [], []
    for record, stored in rows.iterator(10_000):
        records.append(record.encode("utf-8"))
        hashes.append(bytes.fromhex(stored))
    return verify_log(records, heads, stored_hashes=hashes, log_id=log_id())


def verify_files(folder: Path) -> LogVerification:
    """The same check on an export (log.jsonl, heads.txt and the one certificate beside them),
    as the Prefettura receives it."""
    certificates = sorted(folder.glob("*.pem"))
    if len(certificates) != 1:
        raise FileNotFoundError(
            f"{folder}: expected one certificate (*.pem), found {len(certificates)}"
        )
    pem = certificates[0].read_bytes()
    tokens = (folder / "heads.txt").read_text(encoding="ascii").split()
    heads = [verify_tree_head(t, pem) for t in tokens]
    records = (folder / "log.jsonl").read_bytes().splitlines()
    return verify_log(records, heads)


def export(folder: Path) -> tuple[int, int]:
    """The files of the supervisor's offline check (docs/audit-log.md): the certificate, the
    records one per line in storage order, the heads one per line; (entries, heads)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{settings.NODE_ROLE}.pem").write_bytes(certificate())
    entries = 0
    with (folder / "log.jsonl").open("wb") as stream:
        for record in (
            LogEntry.objects.order_by("pk").values_list("record", flat=True).iterator(10_000)
        ):
            stream.write(record.encode("utf-8") + b"\n")
            entries += 1
    tokens = list(SignedTreeHead.objects.values_list("token", flat=True))
    (folder / "heads.txt").write_text("".join(f"{t}\n" for t in tokens), encoding="ascii")
    return entries, len(tokens)
