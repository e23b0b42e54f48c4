# SPDX-License-Identifier: EUPL-1.2
"""Checkpoints in the core: the frontier of the first N leaves stands for them in every later
tree, a signed checkpoint carries it with the chain link and the consistency proofs, and a log
pruned behind one verifies from it, every tampering still named by its entry."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interscambio.core.auditlog import (
    Checkpoint,
    Frontier,
    MerkleTree,
    Problem,
    SignedCheckpoint,
    SignedHead,
    encode_record,
    leaf_hash,
    make_checkpoint,
    sign_checkpoint,
    sign_tree_head,
    verify_checkpoint,
    verify_consistency,
    verify_log,
    verify_tree_head,
)
from interscambio.core.trust import NodeIdentity, TrustError
from tests.test_auditlog import (
    CT_HASHES,
    CT_ROOTS,
    NOW,
    build_records,
    comune,  # noqa: F401 (a fixture)
    edited,
    head_of,
    rechain,
)

LOG = "audit:001272"


def leaves(count: int) -> list[bytes]:
    return [leaf_hash(index.to_bytes(4, "big")) for index in range(count)]


# --- The frontier. ------------------------------------------------------------------------------


def test_the_frontier_of_the_ct_vectors_folds_to_their_roots() -> None:
    tree = MerkleTree(CT_HASHES)
    for size in range(1, 9):
        frontier = tree.frontier(size)
        assert len(frontier.hashes) == size.bit_count()
        assert frontier.root() == CT_ROOTS[size - 1]


@given(st.integers(0, 300).flatmap(lambda m: st.tuples(st.integers(0, m), st.just(m))))
def test_a_tree_on_a_frontier_gives_every_later_root_and_proof(sizes: tuple[int, int]) -> None:
    start, size = sizes
    hashes = leaves(size)
    full = MerkleTree(hashes)
    frontier = full.frontier(start)
    assert len(frontier.hashes) <= start.bit_length()  # at most log2(N) + 1
    pruned = MerkleTree(hashes[start:], after=frontier)
    assert pruned.size == size and pruned.root() == full.root()
    for later in {start, (start + size) // 2, size}:
        assert pruned.root(later) == full.root(later)
        assert pruned.frontier(later) == full.frontier(later)
        assert pruned.consistency_proof(later, size) == full.consistency_proof(later, size)
    if start < size:
        assert pruned.inclusion_proof(start, size) == full.inclusion_proof(start, size)


def test_a_pruned_leaf_or_subtree_is_not_known() -> None:
    pruned = MerkleTree(leaves(13)[7:], after=MerkleTree(leaves(13)).frontier(7))
    assert pruned.leaf(6) == leaves(7)[6]  # 7 = 4 + 2 + 1: the last leaf is in the frontier
    with pytest.raises(ValueError, match="were pruned"):
        pruned.leaf(5)
    with pytest.raises(ValueError, match="were pruned"):
        pruned.consistency_proof(3, 13)


@pytest.mark.parametrize(("size", "count"), [(0, 1), (5, 1), (5, 3), (-1, 0)])
def test_a_frontier_has_one_hash_per_bit_of_its_size(size: int, count: int) -> None:
    with pytest.raises(ValueError, match="frontier"):
        Frontier(size, tuple(leaves(count)))


# --- Signed checkpoints. ------------------------------------------------------------------------


def checkpoint_of(
    hashes: list[bytes], size: int, since: tuple[int, ...], start: Frontier | None = None
) -> Checkpoint:
    kept = hashes if start is None else hashes[start.size :]
    tree = MerkleTree(kept, after=start)
    return make_checkpoint(tree, size, log_id=LOG, timestamp=NOW, since=since)


def test_a_checkpoint_verifies_with_the_certificate_alone(
    comune: tuple[NodeIdentity, bytes],  # noqa: F811
) -> None:
    identity, cert_pem = comune
    hashes = leaves(11)
    point = checkpoint_of(hashes, 10, since=(0, 4, 8, 10))
    assert sorted(point.consistency) == [0, 4, 8]  # not its own size: that is its root
    assert point.previous == hashes[9] and point.root == MerkleTree(hashes).root(10)
    signed = sign_checkpoint(identity, point)
    again = verify_checkpoint(signed.token, cert_pem)
    assert again.checkpoint == point and again.node_id == "001272"
    header, payload, signature = signed.token.split(".")
    for bad in [f"{header}.{payload}.{signature[:-4]}AAAA", f"{header}.{payload[:-4]}.{signature}"]:
        with pytest.raises(TrustError):
            verify_checkpoint(bad, cert_pem)
    head = sign_tree_head(identity, head_of(hashes, 10))
    with pytest.raises(TrustError, match="not a checkpoint"):
        verify_checkpoint(head.token, cert_pem)
    with pytest.raises(TrustError, match="not a tree head"):
        verify_tree_head(signed.token, cert_pem)


def test_a_checkpoint_goes_beyond_the_previous_one(
    comune: tuple[NodeIdentity, bytes],  # noqa: F811
) -> None:
    hashes = leaves(10)
    frontier = MerkleTree(hashes).frontier(6)
    with pytest.raises(ValueError, match="beyond the previous one"):
        checkpoint_of(hashes, 6, since=(), start=frontier)
    with pytest.raises(ValueError, match="not beyond the log"):
        checkpoint_of(hashes, 11, since=())


# --- A pruned log, verified. --------------------------------------------------------------------


class Pruned:
    """A log of 20 records with heads at 4, 8, 12, 16 and 20, pruned below 12 behind a checkpoint:
    `records` are the kept ones (12..19)."""

    def __init__(self, identity: NodeIdentity, cert_pem: bytes) -> None:
        self.identity, self.cert_pem = identity, cert_pem
        self.all = build_records(20)
        self.hashes = [leaf_hash(r) for r in self.all]
        self.heads = [sign_tree_head(identity, head_of(self.hashes, s)) for s in (4, 8, 12, 16, 20)]
        self.point = self.sign(checkpoint_of(self.hashes, 12, since=(4, 8)))
        self.records = self.all[12:]

    def sign(self, point: Checkpoint) -> SignedCheckpoint:
        return sign_checkpoint(self.identity, point)

    def check(
        self,
        records: list[bytes] | None = None,
        points: list[SignedCheckpoint] | None = None,
        heads: list[SignedHead] | None = None,
    ) -> tuple[Problem | None, int | None, str]:
        result = verify_log(
            self.records if records is None else records,
            self.heads if heads is None else heads,
            checkpoints=[self.point] if points is None else points,
            log_id=LOG,
        )
        assert result.ok is (result.kind is None)
        return result.kind, result.index, result.message


@pytest.fixture
def pruned(comune: tuple[NodeIdentity, bytes]) -> Pruned:  # noqa: F811
    return Pruned(*comune)


def test_a_pruned_log_verifies_from_its_checkpoint(pruned: Pruned) -> None:
    result = verify_log(pruned.records, pruned.heads, checkpoints=[pruned.point], log_id=LOG)
    assert result.ok, result.message
    assert (result.start, result.entries, result.covered) == (12, 8, 20)
    assert "from entry 12 (the 12 before it were pruned" in result.message
    # The same entries without their checkpoint: the first 12 are missing.
    assert pruned.check(points=[])[:2] == (Problem.REMOVED, 0)


def test_tampering_after_a_prune_is_named_by_its_entry(pruned: Pruned) -> None:
    kept = pruned.records
    altered = [*kept[:3], edited(kept[3]), *kept[4:]]
    assert pruned.check(altered)[:2] == (Problem.ALTERED, 15)
    # Rewritten with every later hash recomputed: the first head after the checkpoint tells.
    kind, index, message = pruned.check(rechain(pruned.all[:15] + altered[3:], 15)[12:])
    assert (kind, index) == (Problem.ALTERED, 12) and "entries 12-15 do not match" in message
    assert pruned.check(kept[:2] + kept[3:])[:2] == (Problem.REMOVED, 14)
    assert pruned.check([kept[0], kept[2], kept[1], *kept[3:]])[:2] == (Problem.REORDERED, 13)
    forged = encode_record(14, leaf_hash(kept[1]), {"user": "x.nobody"})
    assert pruned.check([*kept[:2], forged, *kept[2:]])[:2] == (Problem.INSERTED, 14)
    assert pruned.check(kept[:6])[:2] == (Problem.REMOVED, 18)


def test_entries_missing_at_the_checkpoint_or_left_below_it_are_named(pruned: Pruned) -> None:
    kind, index, message = pruned.check(pruned.records[2:])
    assert (kind, index) == (Problem.REMOVED, 12)
    assert "entries 12-13 are missing" in message and "checkpoint ends with entry 11" in message
    kind, index, message = pruned.check([pruned.all[11], *pruned.records])
    assert (kind, index) == (Problem.INSERTED, 12) and "pruned behind the checkpoint" in message
    # Entry 12 replaced by one linked elsewhere: it does not follow the checkpoint.
    relinked = encode_record(12, leaf_hash(pruned.all[3]), {"user": "x.nobody"})
    kind, index, message = pruned.check([relinked, *pruned.records[1:]])
    assert (kind, index) == (Problem.ALTERED, 12) and "does not follow the checkpoint" in message


def test_a_forged_checkpoint_is_caught(pruned: Pruned) -> None:
    point = pruned.point.checkpoint
    other = MerkleTree(leaves(12))
    wrong_frontier = replace(point, frontier=other.frontier(12))
    wrong_link = replace(point, previous=pruned.hashes[10])
    wrong_root = checkpoint_of(leaves(12), 12, since=(4, 8))  # sound, of another history
    no_proof = replace(point, consistency={8: point.consistency[8]})
    for forged, why in [
        (wrong_frontier, "its frontier does not give its root"),
        (wrong_link, "its chain link is not the hash of entry 11"),
        (wrong_root, "tree head signed at .* for 4 entries: the entries before it were changed"),
        (no_proof, "for 4 entries: it holds no consistency proof from that size"),
    ]:
        kind, index, message = pruned.check(points=[pruned.sign(forged)])
        assert (kind, index) == (Problem.CHECKPOINT, 0), message
        assert re.search(why, message), message


def test_a_checkpoint_must_match_the_head_of_its_own_size(pruned: Pruned) -> None:
    other = build_records(12)
    other[9] = edited(other[9])
    rewritten = [leaf_hash(r) for r in rechain(other, 9)]
    # Consistent with the heads of 4 and 8 (untouched), not with the published one of 12.
    forged = pruned.sign(checkpoint_of(rewritten, 12, since=(4, 8)))
    kind, index, message = pruned.check(points=[forged])
    assert (kind, index) == (Problem.CHECKPOINT, 0)
    assert "does not agree with the tree head signed at" in message and "for 12 entries" in message


def test_checkpoints_follow_each_other(pruned: Pruned) -> None:
    frontier = pruned.point.checkpoint.frontier
    second = pruned.sign(checkpoint_of(pruned.hashes, 16, since=(12, 16), start=frontier))
    assert sorted(second.checkpoint.consistency) == [12]
    points = [pruned.point, second]
    result = verify_log(pruned.all[16:], pruned.heads, checkpoints=points, log_id=LOG)
    assert result.ok and result.start == 16, result.message
    # A second checkpoint that does not extend the first.
    stray = replace(second.checkpoint, consistency={12: (pruned.hashes[0],)})
    kind, index, message = pruned.check(pruned.all[16:], points=[pruned.point, pruned.sign(stray)])
    assert (kind, index) == (Problem.CHECKPOINT, 12)
    assert "does not extend the previous checkpoint, of 12 entries" in message


def test_a_checkpoint_of_another_log_is_refused(pruned: Pruned) -> None:
    stray = pruned.sign(replace(pruned.point.checkpoint, log_id="audit:other"))
    assert pruned.check(points=[stray])[0] is Problem.FOREIGN_HEAD


def test_the_consistency_proofs_in_a_checkpoint_are_rfc_proofs(pruned: Pruned) -> None:
    point = pruned.point.checkpoint
    for size, proof in point.consistency.items():
        old_root = MerkleTree(pruned.hashes).root(size)
        assert verify_consistency(size, 12, old_root, point.root, proof)


def test_a_checkpoint_signed_outside_the_certificate_is_refused(pruned: Pruned) -> None:
    early = replace(pruned.point.checkpoint, timestamp=NOW - timedelta(days=30))
    with pytest.raises(TrustError, match="not valid before"):
        verify_checkpoint(pruned.sign(early).token, pruned.cert_pem)
