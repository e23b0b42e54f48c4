# SPDX-License-Identifier: EUPL-1.2
"""Checking a whole log against its signed tree heads, naming the first thing that is wrong.

Two kinds of evidence, used together:

- The records themselves. Each record carries its index and the leaf hash of the record before
  it, inside its hashed bytes, and the log may keep each record's leaf hash beside it. A record
  edited in place, dropped, slipped in or moved breaks one of these, and the break tells which.
- The signed tree heads. They are the proof: whoever edits the log can recompute every hash
  and every link after the edit, but cannot sign a new head. The first head whose root the
  stored records no longer give bounds where the log was rewritten, even when nothing else
  shows it.

A pruned log starts at its newest checkpoint (checkpoint.py): the checkpoints are checked first
(each agrees with itself, with the one before it and with every head it covers), then the kept
records from the checkpoint's size on, their tree rebuilt on the checkpoint's frontier.

The first problem is the one at the smallest index; a head that fails only tells the range.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum

from interscambio.core.auditlog.checkpoint import SignedCheckpoint, checkpoint_problem, extends
from interscambio.core.auditlog.entries import GENESIS, EntryError, decode_record
from interscambio.core.auditlog.heads import SignedHead
from interscambio.core.auditlog.merkle import MerkleTree, leaf_hash


class Problem(StrEnum):
    ALTERED = "altered"
    REMOVED = "removed"
    INSERTED = "inserted"
    REORDERED = "reordered"
    MALFORMED = "malformed"
    FOREIGN_HEAD = "foreign_head"
    CHECKPOINT = "checkpoint"


@dataclass(frozen=True)
class Finding:
    kind: Problem
    index: int
    message: str


@dataclass(frozen=True)
class LogVerification:
    """The outcome: `ok`, or the first problem (`kind`, `index`) explained in `message`.

    `index` is the position in the log (the index the entry should have) where the problem
    starts; `covered` is how many entries the newest matching signed head vouches for;
    `entries` how many are stored, from `start` (the newest checkpoint's size, 0 if none)."""

    ok: bool
    kind: Problem | None
    index: int | None
    message: str
    entries: int
    covered: int
    start: int = 0


@dataclass
class _Scan:
    hashes: list[bytes]
    indices: list[int]
    links: list[bytes]
    first: Finding | None = None

    def note(self, finding: Finding) -> None:
        if self.first is None:
            self.first = finding


def verify_log(
    entries: Iterable[bytes],
    heads: Sequence[SignedHead],
    *,
    stored_hashes: Iterable[bytes] | None = None,
    log_id: str | None = None,
    checkpoints: Sequence[SignedCheckpoint] = (),
) -> LogVerification:
    """Check the stored records (in storage order) against the signed heads.

    `entries` are the records' bytes (`entries.encode_record`); `stored_hashes`, if the log
    keeps them, the leaf hash stored with each; `heads` and `checkpoints` must already be
    verified (`heads.verify_tree_head`, `checkpoint.verify_checkpoint`), and if `log_id` is
    given they must all name it. With checkpoints, the records start at the newest one's size."""
    ordered = sorted(checkpoints, key=lambda signed: signed.size)
    base = ordered[-1].checkpoint if ordered else None
    start = 0 if base is None else base.size
    scan = _read(entries, stored_hashes, start)
    count = len(scan.hashes)

    def failed(finding: Finding, covered: int) -> LogVerification:
        return LogVerification(
            False, finding.kind, finding.index, finding.message, count, covered, start
        )

    foreign = _foreign(heads, ordered, log_id)
    if foreign is not None:
        return LogVerification(False, Problem.FOREIGN_HEAD, None, foreign, count, 0, start)
    # Nothing after a checkpoint can be judged against it before it is itself sound.
    wrong_checkpoint = _check_checkpoints(ordered, heads)
    if wrong_checkpoint is not None:
        return failed(wrong_checkpoint, 0)
    link = GENESIS if base is None else base.previous
    # On a tie the structural finding wins: it says more (moved, not just changed).
    found = [f for f in (_first_structural(scan, start, link), scan.first) if f is not None]
    in_records = min(found, key=lambda finding: finding.index) if found else None
    tree = MerkleTree(scan.hashes, after=None if base is None else base.frontier)
    later = [signed for signed in heads if signed.size >= start]
    covered, failed_head, bound = _check_heads(tree, later, start)
    # A head only bounds a problem to a range: a record-level finding inside it is more precise.
    first = in_records if in_records is not None and in_records.index < bound else failed_head
    if first is not None:
        return failed(first, covered)
    unsigned = start + count - covered
    tail = f"; the last {unsigned} are not yet covered by a signed head" if unsigned else ""
    pruned = (
        f" from entry {start} (the {start} before it were pruned behind the checkpoint signed "
        f"at {base.timestamp.isoformat()})"
        if base is not None
        else ""
    )
    message = f"all {count} entries{pruned} are intact and match {len(heads)} signed heads{tail}"
    return LogVerification(True, None, None, message, count, covered, start)


def _foreign(
    heads: Sequence[SignedHead], checkpoints: Sequence[SignedCheckpoint], log_id: str | None
) -> str | None:
    if log_id is None:
        return None
    for signed in heads:
        if signed.head.log_id != log_id:
            return (
                f"the tree head signed at {signed.head.timestamp.isoformat()} belongs to log "
                f"{signed.head.log_id!r}, not to {log_id!r}"
            )
    for point in checkpoints:
        if point.checkpoint.log_id != log_id:
            return (
                f"the checkpoint signed at {point.checkpoint.timestamp.isoformat()} belongs to "
                f"log {point.checkpoint.log_id!r}, not to {log_id!r}"
            )
    return None


def _check_checkpoints(
    checkpoints: Sequence[SignedCheckpoint], heads: Sequence[SignedHead]
) -> Finding | None:
    """The first checkpoint (in order of size) that contradicts itself, the one before it, or
    a head of a size it covers. The index is where the entries it can no longer vouch for
    start: after the previous checkpoint, which did vouch for the ones before."""
    previous = None
    for signed in checkpoints:
        point = signed.checkpoint
        since = 0 if previous is None else previous.size
        name = f"the checkpoint signed at {point.timestamp.isoformat()} for {point.size} entries"
        problem = checkpoint_problem(point)
        if problem is not None:
            return Finding(Problem.CHECKPOINT, since, f"{name} is not sound: {problem}")
        if previous is not None and not extends(point, previous.size, previous.root):
            return Finding(
                Problem.CHECKPOINT,
                since,
                f"{name} does not extend the previous checkpoint, of {previous.size} entries",
            )
        covered = [h for h in heads if since <= h.size <= point.size]
        for head in sorted(covered, key=lambda signed: (signed.size, signed.head.timestamp)):
            agrees = extends(point, head.size, head.root)
            if agrees:
                continue
            signed_at = f"the tree head signed at {head.head.timestamp.isoformat()}"
            why = (
                "it holds no consistency proof from that size"
                if agrees is None
                else "the entries before it were changed before they were pruned"
            )
            return Finding(
                Problem.CHECKPOINT,
                since,
                f"{name} does not agree with {signed_at} for {head.size} entries: {why}",
            )
        previous = point
    return None


def _read(entries: Iterable[bytes], stored_hashes: Iterable[bytes] | None, start: int) -> _Scan:
    scan = _Scan([], [], [])
    stored = None if stored_hashes is None else iter(stored_hashes)
    for position, data in enumerate(entries):
        at = start + position
        actual = leaf_hash(data)
        scan.hashes.append(actual)
        if stored is not None and _next_stored(stored) != actual:
            scan.note(
                Finding(
                    Problem.ALTERED,
                    at,
                    f"entry {at} was altered: its content no longer gives the leaf hash "
                    "stored with it",
                )
            )
        try:
            record = decode_record(data)
        except EntryError as error:
            scan.note(Finding(Problem.MALFORMED, at, f"entry {at}: {error}"))
            scan.indices.append(-1)
            scan.links.append(b"")
            continue
        scan.indices.append(record.index)
        scan.links.append(record.previous)
    if stored is not None and next(stored, None) is not None:
        raise ValueError("there are more stored hashes than entries")
    return scan


def _next_stored(stored: Iterator[bytes]) -> bytes:
    try:
        return next(stored)
    except StopIteration:
        raise ValueError("there are fewer stored hashes than entries") from None


def _first_structural(scan: _Scan, start: int, link: bytes) -> Finding | None:
    """The first record whose index or link does not follow from the records before it (the
    first from the checkpoint's link, `link`). Messages speak of places as entry numbers: the
    place of the record at `position` is `start + position`."""
    where_index: dict[int, int] = {}
    for position, index in enumerate(scan.indices):
        where_index.setdefault(index, position)
    where_hash: dict[bytes, int] = {}
    for position, value in enumerate(scan.hashes):
        where_hash.setdefault(value, position)
    for position, index in enumerate(scan.indices):
        if index < 0:
            return None  # malformed: already noted, and nothing after it can be placed
        if index != start + position:
            return _misplaced(scan, start, position, index, where_index)
        expected = scan.hashes[position - 1] if position else link
        if scan.links[position] != expected:
            return _broken_link(start, position, scan.links[position], where_hash)
    return None


def _misplaced(
    scan: _Scan, start: int, position: int, index: int, where: dict[int, int]
) -> Finding:
    """Place `at` holds the record with index `index`; everything before is right."""
    at = start + position
    if index < start:
        return Finding(
            Problem.INSERTED,
            at,
            f"an entry was inserted at position {at}: it claims index {index}, but the "
            f"entries before {start} were pruned behind the checkpoint",
        )
    if index < at:
        earlier = where[index]
        if scan.hashes[earlier] == scan.hashes[position]:
            return Finding(
                Problem.INSERTED,
                at,
                f"an entry was inserted at position {at}: it is a copy of entry {index}",
            )
        # Two entries claim one index: the intruder is the one the rest of the log does not
        # follow from.
        following = position + 1
        followed = following < len(scan.links) and scan.links[following] == scan.hashes[position]
        intruder, other = position, earlier
        if followed and earlier == position - 1:
            intruder, other = earlier, position
        return Finding(
            Problem.INSERTED,
            start + intruder,
            f"an entry was inserted at position {start + intruder}: it claims index {index}, "
            f"as the entry at position {start + other} does, and the log does not follow from it",
        )
    found = where.get(at)
    if found is None:
        last = index - 1
        gap = f"entry {at} is" if last == at else f"entries {at}-{last} are"
        if position:
            after = f"after entry {at - 1} comes entry {index}"
        elif start:
            after = f"the checkpoint ends with entry {start - 1}, the log goes on with {index}"
        else:
            after = f"the log starts with entry {index}"
        return Finding(Problem.REMOVED, at, f"{gap} missing (removed): {after}")
    # The record belongs elsewhere: moved there, if it fits its own place (unique index, linked
    # to the record before that place); otherwise it does not belong in the log at all.
    before = where.get(index - 1)
    fits = (
        scan.indices.count(index) == 1
        and before is not None
        and scan.links[position] == scan.hashes[before]
    )
    if fits:
        return Finding(
            Problem.REORDERED,
            at,
            f"entries were reordered: entry {at} is at position {start + found}, "
            f"and position {at} holds entry {index}",
        )
    return Finding(
        Problem.INSERTED,
        at,
        f"an entry was inserted at position {at}: it claims index {index} but does not fit there",
    )


def _broken_link(start: int, position: int, link: bytes, where: dict[bytes, int]) -> Finding:
    """Record `position` has the right index but is chained to a record other than the one
    before it."""
    at = start + position
    target = where.get(link)
    if target is not None and target < position - 1:
        return Finding(
            Problem.INSERTED,
            start + target + 1,
            f"entries {start + target + 1}-{at - 1} were inserted: entry {at} follows "
            f"entry {start + target} in the log as it was written",
        )
    if target is not None:
        return Finding(
            Problem.REORDERED,
            at,
            f"entries were reordered: entry {at} was written after the entry now at "
            f"position {start + target}",
        )
    if position == 0 and start:
        # The checkpoint's link was proven to be the last leaf of its tree: the entry is wrong.
        return Finding(
            Problem.ALTERED,
            at,
            f"entry {at} was altered or replaced: it does not follow the checkpoint's last "
            f"entry, {start - 1}",
        )
    if position == 0:
        return Finding(Problem.ALTERED, 0, "entry 0 was altered: it does not start the log")
    return Finding(
        Problem.ALTERED,
        at - 1,
        f"entry {at} does not follow entry {at - 1}: one of the two was altered "
        f"or replaced, or entries between them were removed",
    )


def _check_heads(
    tree: MerkleTree, heads: Sequence[SignedHead], start: int
) -> tuple[int, Finding | None, int]:
    """How many entries the matching heads cover, the first head that does not match, and the
    index before which a problem seen in the records themselves explains that head. The
    checkpoint at `start` (if any) already vouches for the entries before it."""
    covered = start
    for signed in sorted(heads, key=lambda signed: signed.size):
        head = signed.head
        signed_at = f"the tree head signed at {head.timestamp.isoformat()} for {head.size} entries"
        if head.size > tree.size:
            return (
                covered,
                Finding(
                    Problem.REMOVED,
                    tree.size,
                    f"entries {tree.size}-{head.size - 1} are missing (removed): the log ends "
                    f"after {tree.size} entries, but {signed_at} covers them",
                ),
                tree.size,
            )
        if tree.root(head.size) != head.root:
            earlier = f"; entries before {covered} match the earlier heads" if covered else ""
            return (
                covered,
                Finding(
                    Problem.ALTERED,
                    covered,
                    f"the entries {covered}-{head.size - 1} do not match {signed_at}: one of "
                    "them was altered, removed, inserted or moved and the hashes after it "
                    f"recomputed{earlier}",
                ),
                head.size,
            )
        covered = head.size
    return covered, None, tree.size + 1
