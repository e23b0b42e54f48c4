# SPDX-License-Identifier: EUPL-1.2
"""Checkpoints: what a log keeps of the entries it prunes, so that verification goes on from it.

A checkpoint at size N is the node's signed statement "my log's first N entries had this root;
here is what you need to go on without them":

- the **frontier** of the first N leaves (merkle.Frontier): the roots of the perfect subtrees
  covering them. The root of any later tree of M >= N entries, and the consistency proofs
  between later heads, come out of the frontier and entries N.. alone;
- the **chain link**: the leaf hash of entry N-1, which record N carries as its `previous`,
  with the proof that it is the last leaf of the tree of N (an inclusion proof), so that a
  wrong link is told from an altered entry N;
- **consistency proofs** from the size of every signed head since the previous checkpoint (and
  from the previous checkpoint itself) to N: the entries they were computed from are gone, so
  they are written now, and they let anyone holding those heads check that the checkpoint
  extends them.

It is a compact JWS like a tree head, with its own `typ`, so neither can pass for the other.
Checking its signature and form is `verify_checkpoint`; checking that it agrees with itself and
with the heads is verify.verify_log's job (`checkpoint_problem` here).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from interscambio.core.auditlog.entries import GENESIS, canonical_json, utc_timestamp
from interscambio.core.auditlog.heads import open_payload, sign_payload
from interscambio.core.auditlog.merkle import (
    HASH_SIZE,
    Frontier,
    MerkleTree,
    verify_consistency,
    verify_inclusion,
)
from interscambio.core.trust.keys import (
    NodeIdentity,
    TrustError,
    certificate_node_id,
    check_validity,
    key_id,
    load_certificate,
    utc,
)

CHECKPOINT_TYPE: Final = "interscambio-checkpoint+json"
CHECKPOINT_VERSION: Final = 1
_FIELDS: Final = frozenset(
    {"consistency", "frontier", "log_id", "previous", "previous_proof", "root_hash", "size",
     "timestamp", "version"}
)  # fmt: skip


@dataclass(frozen=True)
class Checkpoint:
    """The log's first `size` entries, as far as anyone still needs them after a prune."""

    log_id: str
    root: bytes
    frontier: Frontier
    previous: bytes
    previous_proof: tuple[bytes, ...]
    consistency: Mapping[int, tuple[bytes, ...]]
    timestamp: datetime

    @property
    def size(self) -> int:
        return self.frontier.size

    def payload(self) -> bytes:
        return canonical_json(
            {
                "consistency": [
                    {"proof": [h.hex() for h in self.consistency[size]], "size": size}
                    for size in sorted(self.consistency)
                ],
                "frontier": [h.hex() for h in self.frontier.hashes],
                "log_id": self.log_id,
                "previous": self.previous.hex(),
                "previous_proof": [h.hex() for h in self.previous_proof],
                "root_hash": self.root.hex(),
                "size": self.size,
                "timestamp": utc_timestamp(self.timestamp),
                "version": CHECKPOINT_VERSION,
            }
        )


@dataclass(frozen=True)
class SignedCheckpoint:
    checkpoint: Checkpoint
    token: str
    kid: str
    node_id: str

    @property
    def size(self) -> int:
        return self.checkpoint.size

    @property
    def root(self) -> bytes:
        return self.checkpoint.root


def make_checkpoint(
    tree: MerkleTree, size: int, *, log_id: str, timestamp: datetime, since: Iterable[int]
) -> Checkpoint:
    """The checkpoint at `size` of a tree that still holds the leaves from `tree.start` on;
    `since` are the sizes of the heads signed since the previous checkpoint (and its size)."""
    if not tree.start < size <= tree.size:
        raise ValueError(
            f"a checkpoint goes beyond the previous one ({tree.start} entries) and not beyond "
            f"the log ({tree.size}): {size} does not"
        )
    sizes = sorted({s for s in since if tree.start <= s < size})
    return Checkpoint(
        log_id=log_id,
        root=tree.root(size),
        frontier=tree.frontier(size),
        previous=tree.leaf(size - 1),
        previous_proof=tuple(tree.inclusion_proof(size - 1, size)),
        consistency={s: tuple(tree.consistency_proof(s, size)) for s in sizes},
        timestamp=timestamp,
    )


def sign_checkpoint(identity: NodeIdentity, checkpoint: Checkpoint) -> SignedCheckpoint:
    if not checkpoint.log_id:
        raise ValueError("a checkpoint names its log: the log id is empty")
    token = sign_payload(identity, CHECKPOINT_TYPE, checkpoint.payload())
    return SignedCheckpoint(checkpoint, token, identity.kid, identity.node_id)


def verify_checkpoint(token: str, certificate_pem: bytes) -> SignedCheckpoint:
    """The checkpoint in `token`, if the node with this certificate signed it while valid."""
    cert = load_certificate(certificate_pem)
    checkpoint = _parse(open_payload(token, cert, CHECKPOINT_TYPE, "checkpoint"))
    check_validity(cert, checkpoint.timestamp)
    return SignedCheckpoint(checkpoint, token.strip(), key_id(cert), certificate_node_id(cert))


def checkpoint_problem(checkpoint: Checkpoint) -> str | None:
    """Why the checkpoint contradicts itself, if it does: a frontier that does not give its
    root, or a chain link that is not the last leaf of its tree."""
    if checkpoint.frontier.root() != checkpoint.root:
        return "its frontier does not give its root"
    if checkpoint.size == 0:
        return None if checkpoint.previous == GENESIS else "at size 0 its link must be GENESIS"
    last = checkpoint.size - 1
    if not verify_inclusion(
        checkpoint.previous, last, checkpoint.size, checkpoint.previous_proof, checkpoint.root
    ):
        return f"its chain link is not the hash of entry {last}, the last of its tree"
    return None


def extends(checkpoint: Checkpoint, size: int, root: bytes) -> bool | None:
    """Whether the checkpoint extends the tree (`size`, `root`): None when it holds no proof
    for that size; a tree of the checkpoint's own size must have its very root."""
    if size == checkpoint.size:
        return root == checkpoint.root
    proof = checkpoint.consistency.get(size)
    if proof is None:
        return None
    return verify_consistency(size, checkpoint.size, root, checkpoint.root, proof)


def _hashes(value: Any, what: str) -> tuple[bytes, ...]:
    if not isinstance(value, list):
        raise TrustError(f"the checkpoint's {what} is not a list of hashes")
    return tuple(_hash(item, what) for item in value)


def _hash(value: Any, what: str) -> bytes:
    try:
        data = bytes.fromhex(value) if isinstance(value, str) else b""
    except ValueError:
        data = b""
    if len(data) != HASH_SIZE:
        raise TrustError(f"the checkpoint's {what} holds something that is not a 32-byte hash")
    return data


def _parse(payload: bytes) -> Checkpoint:
    try:
        claims: Any = json.loads(payload.decode("utf-8"))
    except ValueError:
        raise TrustError("the checkpoint's payload is not UTF-8 JSON") from None
    if not isinstance(claims, dict) or set(claims) != _FIELDS:
        raise TrustError(f"a checkpoint's payload has exactly {', '.join(sorted(_FIELDS))}")
    if claims["version"] != CHECKPOINT_VERSION:
        raise TrustError(f"checkpoint version {claims['version']!r} is not known")
    log_id, size, moment = claims["log_id"], claims["size"], claims["timestamp"]
    if not isinstance(log_id, str) or not log_id:
        raise TrustError("the checkpoint's log_id is not a name")
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise TrustError("the checkpoint's size is not a whole number from 0")
    try:
        timestamp = utc(datetime.fromisoformat(moment)) if isinstance(moment, str) else None
        frontier = Frontier(size, _hashes(claims["frontier"], "frontier"))
    except ValueError as error:
        raise TrustError(f"the checkpoint cannot be read: {error}") from None
    if timestamp is None:
        raise TrustError("the checkpoint has no time")
    consistency: dict[int, tuple[bytes, ...]] = {}
    for item in claims["consistency"] if isinstance(claims["consistency"], list) else [None]:
        if not isinstance(item, dict) or set(item) != {"proof", "size"}:
            raise TrustError('each consistency proof is an object with "proof" and "size"')
        if isinstance(item["size"], bool) or not isinstance(item["size"], int) or item["size"] < 0:
            raise TrustError("a consistency proof's size is not a whole number from 0")
        consistency[item["size"]] = _hashes(item["proof"], "consistency proofs")
    checkpoint = Checkpoint(
        log_id=log_id,
        root=_hash(claims["root_hash"], "root_hash"),
        frontier=frontier,
        previous=_hash(claims["previous"], "previous"),
        previous_proof=_hashes(claims["previous_proof"], "previous_proof"),
        consistency=consistency,
        timestamp=timestamp,
    )
    if checkpoint.payload() != payload:
        raise TrustError("the checkpoint's payload is not in canonical form")
    return checkpoint
