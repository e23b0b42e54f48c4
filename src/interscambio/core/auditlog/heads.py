# SPDX-License-Identifier: EUPL-1.2
"""Signed tree heads: the node's signed statement "my log had this many entries, with this root".

A head is a compact JWS (RFC 7515) signed ES256 with the node's key, the same key and `kid` as
its flows (docs/signatures.md). Its payload is the canonical JSON of the head; its header's
`typ` says it is a tree head, so no flow, receipt or token signed by the same key can be passed
off as one. Checking a head needs only the node's certificate: see docs/audit-log.md.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from cryptography.x509 import Certificate

from interscambio.core.auditlog.entries import canonical_json, utc_timestamp
from interscambio.core.auditlog.merkle import HASH_SIZE
from interscambio.core.trust.jws import (
    ALGORITHM,
    decode_header,
    sign_digest,
    verify_digest,
)
from interscambio.core.trust.keys import (
    NodeIdentity,
    TrustError,
    b64url_decode,
    b64url_encode,
    certificate_node_id,
    check_validity,
    key_id,
    load_certificate,
    public_key,
    utc,
)

HEAD_TYPE: Final = "interscambio-tree-head+json"
HEAD_VERSION: Final = 1
_FIELDS: Final = frozenset({"log_id", "root_hash", "size", "timestamp", "version"})


@dataclass(frozen=True)
class TreeHead:
    """The state of a log at one moment: how many entries, and the root of their tree."""

    log_id: str
    size: int
    root: bytes
    timestamp: datetime

    def payload(self) -> bytes:
        """The signed bytes: canonical JSON, so any verifier can rebuild and compare them."""
        return canonical_json(
            {
                "log_id": self.log_id,
                "root_hash": self.root.hex(),
                "size": self.size,
                "timestamp": utc_timestamp(self.timestamp),
                "version": HEAD_VERSION,
            }
        )


@dataclass(frozen=True)
class SignedHead:
    """A tree head whose signature was made, or checked, with the node's certificate."""

    head: TreeHead
    token: str
    kid: str
    node_id: str

    @property
    def size(self) -> int:
        return self.head.size

    @property
    def root(self) -> bytes:
        return self.head.root


def sign_tree_head(identity: NodeIdentity, head: TreeHead) -> SignedHead:
    if not head.log_id:
        raise ValueError("a tree head names its log: the log id is empty")
    if head.size < 0 or len(head.root) != HASH_SIZE:
        raise ValueError("a tree head has a size from 0 and a 32-byte root")
    token = sign_payload(identity, HEAD_TYPE, head.payload())
    return SignedHead(head, token, identity.kid, identity.node_id)


def sign_payload(identity: NodeIdentity, typ: str, payload: bytes) -> str:
    """A compact JWS of `payload` whose header's `typ` says what it is."""
    header = {"alg": ALGORITHM, "kid": identity.kid, "typ": typ, "x5t#S256": identity.kid}
    signing_input = f"{b64url_encode(canonical_json(header))}.{b64url_encode(payload)}"
    digest = hashlib.sha256(signing_input.encode("ascii")).digest()
    return f"{signing_input}.{b64url_encode(sign_digest(identity, digest))}"


def verify_tree_head(token: str, certificate_pem: bytes) -> SignedHead:
    """The head in `token`, if the node with this certificate signed it while it was valid."""
    cert = load_certificate(certificate_pem)
    payload = open_payload(token, cert, HEAD_TYPE, "tree head")
    head = _parse_head(payload)
    # A stolen or retired key must not sign heads for moments it was not valid.
    check_validity(cert, head.timestamp)
    return SignedHead(head, token.strip(), key_id(cert), certificate_node_id(cert))


def open_payload(token: str, cert: Certificate, typ: str, what: str) -> bytes:
    """The payload of `token`, a compact JWS of type `typ` signed with `cert`'s key."""
    parts = token.strip().split(".") if isinstance(token, str) else []
    if len(parts) != 3 or not all(parts):
        raise TrustError(f"a {what} is a compact JWS: three non-empty parts separated by dots")
    protected, encoded_payload, encoded_signature = parts
    header = decode_header(protected, what)
    if header.get("typ") != typ:
        raise TrustError(f'this JWS is not a {what}: its "typ" is not {typ!r}')
    if "crit" in header or "b64" in header:
        raise TrustError(f"a {what}'s header has no crit or b64 members")
    kid = key_id(cert)
    if header["kid"] != kid:
        raise TrustError(
            f"the {what} was signed by the key {header['kid']}, not by the certificate's key {kid}"
        )
    try:
        signature = b64url_decode(encoded_signature)
        payload = b64url_decode(encoded_payload)
    except ValueError:
        raise TrustError(f"the {what}'s payload or signature is not base64url") from None
    digest = hashlib.sha256(f"{protected}.{encoded_payload}".encode("ascii")).digest()
    if not verify_digest(public_key(cert), digest, signature):
        raise TrustError(f"the {what}'s signature does not match: it was altered or forged")
    return payload


def _parse_head(payload: bytes) -> TreeHead:
    try:
        claims: Any = json.loads(payload.decode("utf-8"))
    except ValueError:
        raise TrustError("the tree head's payload is not UTF-8 JSON") from None
    if not isinstance(claims, dict) or set(claims) != _FIELDS:
        raise TrustError(f"a tree head's payload has exactly {', '.join(sorted(_FIELDS))}")
    if claims["version"] != HEAD_VERSION:
        raise TrustError(f"tree head version {claims['version']!r} is not known")
    log_id, size, root, moment = (claims[n] for n in ("log_id", "size", "root_hash", "timestamp"))
    if not isinstance(log_id, str) or not log_id:
        raise TrustError("the tree head's log_id is not a name")
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise TrustError("the tree head's size is not a whole number from 0")
    try:
        root_bytes = bytes.fromhex(root) if isinstance(root, str) else b""
        timestamp = utc(datetime.fromisoformat(moment)) if isinstance(moment, str) else None
    except ValueError:
        raise TrustError("the tree head's root_hash or timestamp cannot be read") from None
    if len(root_bytes) != HASH_SIZE or timestamp is None:
        raise TrustError("the tree head's root_hash is not 32 bytes of hex, or it has no time")
    head = TreeHead(log_id, size, root_bytes, timestamp)
    if head.payload() != payload:
        raise TrustError("the tree head's payload is not in canonical form")
    return head
