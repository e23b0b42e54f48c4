# SPDX-License-Identifier: EUPL-1.2
"""Appending to the access log, signing its tree heads, verifying and exporting it.

`append` runs inside the caller's transaction, so an entry exists exactly when the read it
records happened: the caller appends before the data leaves, and if its transaction is undone
so is the entry. Appends are serialized until that transaction ends (an advisory lock on
PostgreSQL; SQLite serializes writers anyway), so a caller appends as the last thing before
it commits; should two still meet, the unique index refuses the later and its transaction
fails whole.

`prune` deletes the oldest entries behind a signed checkpoint (docs/audit-log.md, "Pruning"),
which `verify`, `sign_head` and `export` then start from.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Final, Protocol

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from interscambio.audit import actions
from interscambio.audit.models import Checkpoint, LogEntry, SignedTreeHead
from interscambio.core.auditlog import (
    GENESIS,
    LogVerification,
    MerkleTree,
    SignedCheckpoint,
    TreeHead,
    encode_record,
    leaf_hash,
    make_checkpoint,
    sign_checkpoint,
    sign_tree_head,
    utc_timestamp,
    verify_checkpoint,
    verify_log,
    verify_tree_head,
)
from interscambio.exchange.trust import keys_dir, node_identity

# Any number, the same in every process: appends on PostgreSQL queue on this advisory lock.
APPEND_LOCK: Final = 0x1A5C_0A11
# Signing a head, verifying and pruning queue on this one (appends never do): a head or a check
# must not read the checkpoints before a prune and the entries after it.
CHECKPOINT_LOCK: Final = APPEND_LOCK + 1
# Who prunes when no one is named: the daily purge job.
SYSTEM: Final = "sistema"


class Gate(Protocol):
    """A statement a caller has run right after the append lock is taken, in the same round
    trip on PostgreSQL, and whose one row decides whether the entry is written at all: the
    verification API's call count, which would otherwise be a second place where every call
    queues (`api.limits`)."""

    sql: str
    params: list[Any]

    def admits(self, row: tuple[Any, ...]) -> bool: ...


def _last_entry(cursor: Any, gate: Gate | None = None) -> tuple[tuple[int, str] | None, bool]:
    """The last entry's index and hash, this transaction now the only one appending until it
    ends, and whether the gate (if any) admits the entry. On PostgreSQL a row lock on the last
    entry is not enough: a waiting transaction would read that same row, now no longer the
    last, once the lock is released. An advisory lock taken before reading the last entry is;
    the statements go in one round trip, and each reads with its own snapshot, so the read sees
    every entry committed before the lock was granted. SQLite serializes writers by itself
    (IMMEDIATE transactions, settings.py)."""
    admitted = True
    if connection.vendor == "postgresql":
        gated = f"; {gate.sql}" if gate is not None else ""
        cursor.execute(
            f"SELECT pg_advisory_xact_lock({APPEND_LOCK}); {_LAST}{gated}",
            gate.params if gate is not None else None,
        )
        cursor.nextset()
        row = cursor.fetchone()
        if gate is not None:
            cursor.nextset()
            admitted = gate.admits(cursor.fetchone())
    else:
        cursor.execute(_LAST)
        row = cursor.fetchone()
        if gate is not None:
            cursor.execute(gate.sql, gate.params)
            admitted = gate.admits(cursor.fetchone())
    return (None if row is None else (int(row[0]), str(row[1]))), admitted


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
    gate: Gate | None = None,
) -> LogEntry | None:
    """Append one entry: who read what, why; `records` are the ids returned, never names.
    None, and nothing appended, when the `gate` does not admit it."""
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
        return _append(moment, entry, gate)


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


def _append(moment: datetime, entry: dict[str, Any], gate: Gate | None = None) -> LogEntry | None:
    with connection.cursor() as cursor:
        last, admitted = _last_entry(cursor, gate)
        if not admitted:
            return None
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


@contextmanager
def _checkpoint_lock() -> Iterator[None]:
    """One transaction that no prune, head or check of another process overlaps. SQLite needs
    no more than the transaction: it serializes writers by itself."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHECKPOINT_LOCK])
        yield


def checkpoints() -> list[SignedCheckpoint]:
    """Every checkpoint, its signature checked with the node's certificate (TrustError if not)."""
    pem = certificate()
    return [verify_checkpoint(t, pem) for t in Checkpoint.objects.values_list("token", flat=True)]


def _newest_checkpoint() -> SignedCheckpoint | None:
    token = Checkpoint.objects.order_by("-size").values_list("token", flat=True).first()
    return None if token is None else verify_checkpoint(token, certificate())


def _tree(newest: SignedCheckpoint | None) -> MerkleTree:
    """The log's tree: the newest checkpoint's frontier and the entries kept after it."""
    start = 0 if newest is None else newest.size
    kept = LogEntry.objects.filter(index__gte=start).order_by("index")
    hashes = [bytes.fromhex(h) for h in kept.values_list("leaf_hash", flat=True).iterator(10_000)]
    return MerkleTree(hashes, after=None if newest is None else newest.checkpoint.frontier)


def sign_head(now: datetime | None = None) -> SignedTreeHead:
    """Sign the log's current size and root with the node's key."""
    moment = now or timezone.now()
    with _checkpoint_lock():
        tree = _tree(_newest_checkpoint())
        head = TreeHead(log_id(), tree.size, tree.root(), moment)
        signed = sign_tree_head(node_identity(), head)
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
    """Recompute everything: each checkpoint, each record, its link and hash, each signed
    head's root. Raises TrustError if a head or a checkpoint was not signed by the node."""
    pem = certificate()
    with _checkpoint_lock():
        heads = [
            verify_tree_head(t, pem) for t in SignedTreeHead.objects.values_list("token", flat=True)
        ]
        points = checkpoints()
        rows = LogEntry.objects.order_by("pk").values_list("record", "leaf_hash")
        records, hashes = [], []
        for record, stored in rows.iterator(10_000):
            records.append(record.encode("utf-8"))
            hashes.append(bytes.fromhex(stored))
    return verify_log(records, heads, stored_hashes=hashes, log_id=log_id(), checkpoints=points)


def verify_files(folder: Path) -> LogVerification:
    """The same check on an export (log.jsonl, heads.txt, checkpoints.txt and the one
    certificate beside them), as the Prefettura receives it."""
    certificates = sorted(folder.glob("*.pem"))
    if len(certificates) != 1:
        raise FileNotFoundError(
            f"{folder}: expected one certificate (*.pem), found {len(certificates)}"
        )
    pem = certificates[0].read_bytes()
    tokens = (folder / "heads.txt").read_text(encoding="ascii").split()
    heads = [verify_tree_head(t, pem) for t in tokens]
    saved = folder / "checkpoints.txt"
    points = saved.read_text(encoding="ascii").split() if saved.exists() else []
    records = (folder / "log.jsonl").read_bytes().splitlines()
    return verify_log(records, heads, checkpoints=[verify_checkpoint(t, pem) for t in points])


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
    points = list(Checkpoint.objects.values_list("token", flat=True))
    (folder / "checkpoints.txt").write_text("".join(f"{t}\n" for t in points), encoding="ascii")
    return entries, len(tokens)


class PruneError(Exception):
    """The log cannot be pruned now; nothing was."""


@dataclass(frozen=True)
class Pruned:
    """Entries `first`..`size - 1` (`entries` of them), older than `cut_off`, pruned behind the
    checkpoint at `size` (or that would be, on a dry run)."""

    entries: int
    first: int
    size: int
    cut_off: datetime


def prune(
    before: datetime, *, by: str = SYSTEM, dry_run: bool = False, now: datetime | None = None
) -> Pruned | None:
    """Prune the entries older than `before` that a signed head already covers, behind a new
    checkpoint; None when there are none. All in one transaction, the log verified first (a
    prune must not bury the evidence of tampering), the checkpoint written before anything is
    deleted, and the prune itself appended to the log. A dry run only counts."""
    moment = now or timezone.now()
    with _checkpoint_lock():
        newest = _newest_checkpoint()
        start = 0 if newest is None else newest.size
        size = _prunable(start, before)
        if size is None:
            return None
        pruned = Pruned(LogEntry.objects.filter(index__lt=size).count(), start, size, before)
        if dry_run:
            return pruned
        checked = verify()
        if not checked.ok:
            raise PruneError(
                f"the access log does not verify, nothing was pruned: {checked.kind}: "
                f"{checked.message}"
            )
        since = SignedTreeHead.objects.filter(size__gte=start, size__lt=size)
        sizes = {*since.values_list("size", flat=True), *([start] if newest else [])}
        point = sign_checkpoint(
            node_identity(),
            make_checkpoint(_tree(newest), size, log_id=log_id(), timestamp=moment, since=sizes),
        )
        Checkpoint.objects.create(
            size=size, root_hash=point.root.hex(), signed_at=moment, cut_off=before,
            token=point.token,
        )  # fmt: skip
        # Appended before the deletion, so the log never stands empty: an empty log would make
        # the next append start again from entry 0.
        append(
            actions.LOG_PRUNED,
            user=by,
            query={
                "anteriori_a": utc_timestamp(before),
                "voci": pruned.entries,
                "dalla": start,
                "alla": size - 1,
                "checkpoint": size,
            },
            at=moment,
        )
        LogEntry.objects.filter(index__lt=size).delete()
    return pruned


def _prunable(start: int, before: datetime) -> int | None:
    """Where a prune would cut: the largest size of a signed head that holds only entries
    older than `before`. Cheap when there is nothing to prune: the walk in index order stops at
    the first recent entry, which after a daily prune is among the first."""
    recent = (
        LogEntry.objects.filter(index__gte=start, at__gte=before)
        .order_by("index")
        .values_list("index", flat=True)
        .first()
    )
    if recent is None:
        last = LogEntry.objects.order_by("-index").values_list("index", flat=True).first()
        recent = start if last is None else last + 1
    heads = SignedTreeHead.objects.filter(size__gt=start, size__lte=recent)
    size: int | None = heads.aggregate(size=Max("size"))["size"]
    return size
