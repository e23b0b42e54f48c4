# SPDX-License-Identifier: EUPL-1.2
"""The Merkle tree of Certificate Transparency (RFC 6962, RFC 9162 section 2.1), over SHA-256.

A leaf's hash is SHA-256(0x00 || entry), an interior node's SHA-256(0x01 || left || right): the
two prefixes keep a leaf from ever passing for a node. A tree of n leaves splits at the largest
power of two below n, so the tree only ever grows on its right and an older tree is a prefix of
a newer one. Everything here works on leaf hashes, never on the entries themselves.

Because of that, the first n leaves can be forgotten once their **frontier** is kept: the roots
of the perfect subtrees that cover them, one per bit set in n (`Frontier`). Every node of any
later tree either lies after the forgotten leaves or is built from those roots, so roots and
proofs of later trees still come out (`MerkleTree(kept, after=frontier)`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

HASH_SIZE: Final = 32
EMPTY_ROOT: Final = hashlib.sha256(b"").digest()
_LEAF_PREFIX: Final = b"\x00"
_NODE_PREFIX: Final = b"\x01"


def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(_LEAF_PREFIX + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def split_point(width: int) -> int:
    """The largest power of two strictly below `width` (which must be at least 2)."""
    return 1 << ((width - 1).bit_length() - 1)


def root_hash(leaf_hashes: Sequence[bytes]) -> bytes:
    """The Merkle Tree Hash of the leaves, one level at a time.

    Pairing neighbours and carrying an odd last node up unchanged builds the same tree as the
    RFC's recursive split, without recursion and with one list alive per level."""
    if not leaf_hashes:
        return EMPTY_ROOT
    level = list(leaf_hashes)
    sha256 = hashlib.sha256
    while len(level) > 1:
        upper = [
            sha256(_NODE_PREFIX + left + right).digest()
            for left, right in zip(level[0::2], level[1::2], strict=False)
        ]
        if len(level) % 2:
            upper.append(level[-1])
        level = upper
    return level[0]


@dataclass(frozen=True)
class Frontier:
    """The first `size` leaves as the roots of the perfect subtrees covering them, largest (and
    leftmost) first: a subtree of 2**k leaves for every bit k set in `size`, so at most
    log2(size) + 1 hashes, and their right fold is the root of the tree of `size`."""

    size: int
    hashes: tuple[bytes, ...]

    def __post_init__(self) -> None:
        if self.size < 0 or len(self.hashes) != self.size.bit_count():
            raise ValueError(
                f"the frontier of {self.size} leaves has {max(self.size, 0).bit_count()} "
                f"hashes, not {len(self.hashes)}"
            )
        if not _well_formed(*self.hashes):
            raise ValueError(f"a frontier holds {HASH_SIZE}-byte hashes")

    def subtrees(self) -> list[tuple[int, int, bytes]]:
        """(first leaf, width, hash) of each subtree, left to right."""
        found, start = [], 0
        widths = [1 << k for k in reversed(range(self.size.bit_length())) if self.size >> k & 1]
        for width, value in zip(widths, self.hashes, strict=True):
            found.append((start, width, value))
            start += width
        return found

    def root(self) -> bytes:
        if not self.hashes:
            return EMPTY_ROOT
        # The tree of n leaves is node(first subtree, tree of the rest): a fold from the right.
        value = self.hashes[-1]
        for left in reversed(self.hashes[:-1]):
            value = node_hash(left, value)
        return value


class MerkleTree:
    """A tree over a fixed list of leaf hashes, for many roots and proofs without rehashing.

    Level k keeps the hashes of the complete subtrees of 2**k leaves; any other subtree (only
    those on the right edge of a smaller tree) is assembled from them in O(log n).

    With `after`, the leaves are the ones that follow the frontier's: level k then starts at
    the subtree of 2**k leaves holding leaf `after.size` (rounded down to an even position, so
    that pairs line up), preceded by the frontier's own subtree of that level if it has one.
    Subtrees wholly inside the forgotten leaves, other than the frontier's, are not known."""

    def __init__(self, leaf_hashes: Sequence[bytes], *, after: Frontier | None = None) -> None:
        start = 0 if after is None else after.size
        pieces = {} if after is None else {w.bit_length() - 1: h for _, w, h in after.subtrees()}
        self._start = start
        self._size = start + len(leaf_hashes)
        self._offsets = [start & ~1]
        self._levels: list[list[bytes]] = [
            [pieces[0], *leaf_hashes] if 0 in pieces else list(leaf_hashes)
        ]
        sha256 = hashlib.sha256
        while len(self._levels) < self._size.bit_length():
            below = self._levels[-1]
            upper = [
                sha256(_NODE_PREFIX + left + right).digest()
                for left, right in zip(below[0::2], below[1::2], strict=False)
            ]
            k = len(self._levels)
            self._levels.append([pieces[k], *upper] if k in pieces else upper)
            self._offsets.append((start >> k) & ~1)

    @property
    def size(self) -> int:
        return self._size

    @property
    def start(self) -> int:
        """The first leaf known one by one (the frontier's size; 0 for a whole tree)."""
        return self._start

    def leaf(self, index: int) -> bytes:
        return self.subtree_hash(index, index + 1)

    def subtree_hash(self, start: int, end: int) -> bytes:
        """MTH(D[start:end])."""
        if not 0 <= start <= end <= self.size:
            raise ValueError(f"no leaves {start}..{end} in a tree of {self.size}")
        width = end - start
        if width == 0:
            return EMPTY_ROOT
        if width & (width - 1) == 0 and start % width == 0:
            level = width.bit_length() - 1
            position = start // width - self._offsets[level]
            if position < 0:
                raise ValueError(
                    f"leaves {start}..{end - 1} were pruned: only the frontier of the first "
                    f"{self._start} is known"
                )
            return self._levels[level][position]
        middle = start + split_point(width)
        return node_hash(self.subtree_hash(start, middle), self.subtree_hash(middle, end))

    def root(self, size: int | None = None) -> bytes:
        """The root of the tree of the first `size` leaves (all of them by default)."""
        return self.subtree_hash(0, self.size if size is None else size)

    def frontier(self, size: int | None = None) -> Frontier:
        """The frontier of the first `size` leaves (all of them by default)."""
        size = self.size if size is None else size
        if not 0 <= size <= self.size:
            raise ValueError(f"no frontier of {size} leaves in a tree of {self.size}")
        hashes, start = [], 0
        for k in reversed(range(size.bit_length())):
            if size >> k & 1:
                hashes.append(self.subtree_hash(start, start + (1 << k)))
                start += 1 << k
        return Frontier(size, tuple(hashes))

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """PATH(index, D[size]) of RFC 9162 section 2.1.3.1, the leaf's neighbour first."""
        if not 0 <= index < size <= self.size:
            raise ValueError(f"no leaf {index} in a tree of {size} (of {self.size} known)")
        proof: list[bytes] = []
        start, end = 0, size
        # The RFC's recursion, unrolled: the proof collects siblings from the root down, so it
        # is reversed at the end to start from the leaf.
        while end - start > 1:
            middle = start + split_point(end - start)
            if index < middle:
                proof.append(self.subtree_hash(middle, end))
                end = middle
            else:
                proof.append(self.subtree_hash(start, middle))
                start = middle
        proof.reverse()
        return proof

    def consistency_proof(self, old_size: int, new_size: int) -> list[bytes]:
        """PROOF(old_size, D[new_size]) of RFC 9162 section 2.1.4.1.

        Empty when the old tree is empty or the same tree: nothing needs proving then."""
        if not 0 <= old_size <= new_size <= self.size:
            raise ValueError(
                f"no consistency between sizes {old_size} and {new_size} "
                f"(of {self.size} known; the old size comes first)"
            )
        if old_size in (0, new_size):
            return []
        proof: list[bytes] = []
        start, end, complete = 0, new_size, True
        remaining = old_size
        while remaining != end - start:
            middle = split_point(end - start)
            if remaining <= middle:
                proof.append(self.subtree_hash(start + middle, end))
                end = start + middle
            else:
                proof.append(self.subtree_hash(start, start + middle))
                start += middle
                remaining -= middle
                complete = False
        if not complete:
            proof.append(self.subtree_hash(start, end))
        proof.reverse()
        return proof


def inclusion_proof(leaf_hashes: Sequence[bytes], index: int, size: int) -> list[bytes]:
    """The proof that leaf `index` is in the tree of the first `size` leaves."""
    return MerkleTree(leaf_hashes[:size]).inclusion_proof(index, size)


def consistency_proof(leaf_hashes: Sequence[bytes], old_size: int, new_size: int) -> list[bytes]:
    """The proof that the tree of `old_size` leaves is a prefix of the one of `new_size`."""
    return MerkleTree(leaf_hashes[:new_size]).consistency_proof(old_size, new_size)


def _well_formed(*hashes: bytes) -> bool:
    return all(isinstance(value, bytes) and len(value) == HASH_SIZE for value in hashes)


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """Whether `proof` shows the leaf hash `leaf` at `index` in the tree of `size` with `root`.

    RFC 9162 section 2.1.3.2, step by step."""
    if not 0 <= index < size or not _well_formed(leaf, root, *proof):
        return False
    fn, sn = index, size - 1
    r = leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Whether `proof` shows the tree (`old_size`, `old_root`) is a prefix of (`new_size`,
    `new_root`): RFC 9162 section 2.1.4.2, with its trivial cases made explicit."""
    if not 0 <= old_size <= new_size or not _well_formed(old_root, new_root, *proof):
        return False
    if old_size == 0:
        # Every tree extends the empty one, whose root is fixed.
        return not proof and old_root == EMPTY_ROOT
    if old_size == new_size:
        return not proof and old_root == new_root
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == old_root and sr == new_root and sn == 0
