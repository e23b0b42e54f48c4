# SPDX-License-Identifier: EUPL-1.2
"""The verifiable audit log: a Certificate Transparency style Merkle tree over canonical entries.

Framework-free: `merkle.py` (RFC 9162 hashes, inclusion and consistency proofs), `entries.py`
(canonical JSON records, each with its index and the hash of the one before), `heads.py` (signed
tree heads, ES256 with the node's key), `checkpoint.py` (what a pruned log keeps of the entries
it pruned), `verify.py` (a whole log against its heads, the first problem named). Described in
docs/audit-log.md.
"""

from interscambio.core.auditlog.checkpoint import (
    Checkpoint,
    SignedCheckpoint,
    make_checkpoint,
    sign_checkpoint,
    verify_checkpoint,
)
from interscambio.core.auditlog.entries import (
    GENESIS,
    EntryError,
    LogRecord,
    canonical_json,
    decode_record,
    encode_record,
    utc_timestamp,
)
from interscambio.core.auditlog.heads import SignedHead, TreeHead, sign_tree_head, verify_tree_head
from interscambio.core.auditlog.merkle import (
    EMPTY_ROOT,
    Frontier,
    MerkleTree,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_hash,
    verify_consistency,
    verify_inclusion,
)
from interscambio.core.auditlog.verify import LogVerification, Problem, verify_log

__all__ = [
    "EMPTY_ROOT",
    "GENESIS",
    "Checkpoint",
    "EntryError",
    "Frontier",
    "LogRecord",
    "LogVerification",
    "MerkleTree",
    "Problem",
    "SignedCheckpoint",
    "SignedHead",
    "TreeHead",
    "canonical_json",
    "consistency_proof",
    "decode_record",
    "encode_record",
    "inclusion_proof",
    "leaf_hash",
    "make_checkpoint",
    "node_hash",
    "root_hash",
    "sign_checkpoint",
    "sign_tree_head",
    "utc_timestamp",
    "verify_checkpoint",
    "verify_consistency",
    "verify_inclusion",
    "verify_log",
    "verify_tree_head",
]
