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

The first problem is the one at the smallest index; a head that fails only tells the range.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum

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


@dataclass(frozen=True)
class Finding:
    kind: Problem
    index: int
    message: str


@dataclass(frozen=True)
class LogVerification:
    """The outcome: `ok`, or the first problem (`kind`, `index`) explained in `message`.

    `index` is the position in the log (the index the entry should have) where the problem
    starts; `covered` is how many entries the newest matching signed head vouches for."""

    ok: bool
    kind: Problem | None
    index: int | None
    message: str
    entries: int
    covered: int


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
) -> LogVerification:
    """Check the stored records (in storage order) against the signed heads.

    `entries` are the records' bytes (`entries.encode_record`); `stored_hashes`, if the log
    keeps them, the leaf hash stored with each; `heads` must already be verified
    (`heads.verify_tree_head`), and if `log_id` is given they must all name it."""
    scan = _read(entries, stored_hashes)
    count = len(scan.hashes)
    foreign = [
        signed.head for signed in heads if log_id is not None and signed.head.log_id != log_id
    ]
    if foreign:
        message = (
            f"the tree head signed at {foreign[0].timestamp.isoformat()} belongs to log "
            f"{foreign[0].log_id!r}, not to {log_id!r}"
        )
        return LogVerification(False, Problem.FOREIGN_HEAD, None, message, count, 0)
    # On a tie the structural finding wins: it says more (moved, not just changed).
    found = [f for f in (_first_structural(scan), scan.first) if f is not None]
    in_records = min(found, key=lambda finding: finding.index) if found else None
    covered, failed, bound = _check_heads(MerkleTree(scan.hashes), heads)
    # A head only bounds a problem to a range: a record-level finding inside it is more precise.
    first = in_records if in_records is not None and in_records.index < bound else failed
    if first is not None:
        return LogVerification(False, first.kind, first.index, first.message, count, covered)
    unsigned = count - covered
    tail = f"; the last {unsigned} are not yet covered by a signed head" if unsigned else ""
    message = f"all {count} entries are intact and match {len(heads)} signed heads{tail}"
    return LogVerification(True, None, None, message, count, covered)


def _read(entries: Iterable[bytes], stored_hashes: Iterable[bytes] | None) -> _Scan:
    scan = _Scan([], [], [])
    stored = None if stored_hashes is None else iter(stored_hashes)
    for position, data in enumerate(entries):
        actual = leaf_hash(data)
        scan.hashes.append(actual)
        if stored is not None and _next_stored(stored) != actual:
            scan.note(
                Finding(
                    Problem.ALTERED,
                    position,
                    f"entry {position} was altered: its content no longer gives the leaf hash "
                    "stored with it",
                )
            )
        try:
            record = decode_record(data)
        except EntryError as error:
            scan.note(Finding(Problem.MALFORMED, position, f"entry {position}: {error}"))
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


def _first_structural(scan: _Scan) -> Finding | None:
    """The first record whose index or link does not follow from the records before it."""
    where_index: dict[int, int] = {}
    for position, index in enumerate(scan.indices):
        where_index.setdefault(index, position)
    where_hash: dict[bytes, int] = {}
    for position, value in enumerate(scan.hashes):
        where_hash.setdefault(value, position)
    for position, index in enumerate(scan.indices):
        if index < 0:
            return None  # malformed: already noted, and nothing after it can be placed
        if index != position:
            return _misplaced(scan, position, index, where_index)
        expected = scan.hashes[position - 1] if position else GENESIS
        if scan.links[position] != expected:
            return _broken_link(position, scan.links[position], where_hash)
    return None


def _misplaced(scan: _Scan, position: int, index: int, where: dict[int, int]) -> Finding:
    """Position `position` holds the record with index `index`; everything before is right."""
    if index < position:
        earlier = where[index]
        if scan.hashes[earlier] == scan.hashes[position]:
            return Finding(
                Problem.INSERTED,
                position,
                f"an entry was inserted at position {position}: it is a copy of entry {index}",
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
            intruder,
            f"an entry was inserted at position {intruder}: it claims index {index}, "
            f"as the entry at position {other} does, and the log does not follow from it",
        )
    found = where.get(position)
    if found is None:
        last = index - 1
        gap = f"entry {position} is" if last == position else f"entries {position}-{last} are"
        return Finding(
            Problem.REMOVED,
            position,
            f"{gap} missing (removed): after entry {position - 1} comes entry {index}",
        )
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
            position,
            f"entries were reordered: entry {position} is at position {found}, "
            f"and position {position} holds entry {index}",
        )
    return Finding(
        Problem.INSERTED,
        position,
        f"an entry was inserted at position {position}: it claims index {index} "
        "but does not fit there",
    )


def _broken_link(position: int, link: bytes, where: dict[bytes, int]) -> Finding:
    """Record `position` has the right index but is chained to a record other than the one
    before it."""
    target = where.get(link)
    if target is not None and target < position - 1:
        return Finding(
            Problem.INSERTED,
            target + 1,
            f"entries {target + 1}-{position - 1} were inserted: entry {position} follows "
            f"entry {target} in the log as it was written",
        )
    if target is not None:
        return Finding(
            Problem.REORDERED,
            position,
            f"entries were reordered: entry {position} was written after the entry now at "
            f"position {target}",
        )
    if position == 0:
        return Finding(Problem.ALTERED, 0, "entry 0 was altered: it does not start the log")
    return Finding(
        Problem.ALTERED,
        position - 1,
        f"entry {position} does not follow entry {position - 1}: one of the two was altered "
        f"or replaced, or entries between them were removed",
    )


def _check_heads(tree: MerkleTree, heads: Sequence[SignedHead]) -> tuple[int, Finding | None, int]:
    """How many entries the matching heads cover, the first head that does not match, and the
    index before which a problem seen in the records themselves explains that head."""
    covered = 0
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
