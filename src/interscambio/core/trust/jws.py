# SPDX-License-Identifier: EUPL-1.2
"""Detached JWS signatures over the exact bytes of a flow or a receipt, computed as they stream.

The format is standard, so a partner verifies it with any JOSE library: a compact JWS (RFC 7515)
with detached content (Appendix F) and an unencoded payload (RFC 7797, `"b64": false`). The
signing input is the protected header in base64url, a dot, then the flow's bytes as they are:
no base64 copy of a 1 GB flow, and its SHA-256 is computed chunk by chunk, so memory stays flat.
The format is described for partners in docs/signatures.md.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, utils

from interscambio.core.trust.keys import (
    NodeIdentity,
    TrustError,
    TrustList,
    b64url_decode,
    b64url_encode,
    certificate_node_id,
    check_validity,
    public_key,
    utc,
)

ALGORITHM: Final = "ES256"
CHUNK_SIZE: Final = 1 << 20
_RESERVED: Final = frozenset({"alg", "b64", "crit", "kid", "x5t#S256", "typ"})
_ECDSA_PREHASHED: Final = ec.ECDSA(utils.Prehashed(hashes.SHA256()))
_COORDINATE: Final = 32  # bytes of r and of s for P-256


@dataclass(frozen=True)
class VerifiedSignature:
    """Who signed: the node named by the trusted certificate, its kid, and the header."""

    node_id: str
    kid: str
    header: dict[str, Any]


def read_chunks(path: Path, size: int = CHUNK_SIZE) -> Iterator[bytes]:
    with path.open("rb") as stream:
        while chunk := stream.read(size):
            yield chunk


def signing_digest(prefix: bytes, chunks: Iterable[bytes]) -> bytes:
    """SHA-256 of `prefix` followed by the chunks; a bare bytes object counts as one chunk."""
    sha = hashlib.sha256(prefix)
    if isinstance(chunks, bytes | bytearray | memoryview):
        chunks = (bytes(chunks),)
    for chunk in chunks:
        sha.update(chunk)
    return sha.digest()


def sign_digest(identity: NodeIdentity, digest: bytes) -> bytes:
    """ES256 over a SHA-256 digest, in the JOSE form: r and s, 32 bytes each, big-endian."""
    r, s = utils.decode_dss_signature(identity.key.sign(digest, _ECDSA_PREHASHED))
    return r.to_bytes(_COORDINATE, "big") + s.to_bytes(_COORDINATE, "big")


def verify_digest(key: ec.EllipticCurvePublicKey, digest: bytes, signature: bytes) -> bool:
    """Whether `signature` (JOSE form, 64 bytes) is an ES256 signature of `digest` by `key`."""
    if len(signature) != 2 * _COORDINATE:
        return False
    r = int.from_bytes(signature[:_COORDINATE], "big")
    s = int.from_bytes(signature[_COORDINATE:], "big")
    try:
        key.verify(utils.encode_dss_signature(r, s), digest, _ECDSA_PREHASHED)
    except InvalidSignature:
        return False
    return True


def sign_detached(
    identity: NodeIdentity, chunks: Iterable[bytes], extra: Mapping[str, Any] | None = None
) -> str:
    """The detached compact JWS `header..signature` of the bytes in `chunks`.

    `extra` adds members to the protected header (a flow's hash, its type...); it may not replace
    the ones this format fixes (alg, b64, crit, kid, x5t#S256, typ)."""
    extra = dict(extra or {})
    clash = sorted(_RESERVED & extra.keys())
    if clash:
        raise ValueError(f"extra header members may not replace {', '.join(clash)}")
    header = {
        "alg": ALGORITHM,
        "b64": False,
        "crit": ["b64"],
        "kid": identity.kid,
        "x5t#S256": identity.kid,
        "typ": "JOSE",
        **extra,
    }
    protected = b64url_encode(
        json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    )
    digest = signing_digest(protected.encode("ascii") + b".", chunks)
    return f"{protected}..{b64url_encode(sign_digest(identity, digest))}"


def sign_file(identity: NodeIdentity, path: Path) -> str:
    return sign_detached(identity, read_chunks(path))


def decode_header(part: str, what: str) -> dict[str, Any]:
    """A JOSE header from its base64url form; `what` names the object in the messages."""
    try:
        header = json.loads(b64url_decode(part))
    except ValueError:  # also UnicodeDecodeError and json.JSONDecodeError
        raise TrustError(f"the {what}'s header is not base64url-encoded JSON") from None
    if not isinstance(header, dict):
        raise TrustError(f"the {what}'s header is not a JSON object")
    if header.get("alg") != ALGORITHM:
        raise TrustError(
            f"the {what} uses algorithm {header.get('alg')!r}: only {ALGORITHM} is accepted"
        )
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise TrustError(f"the {what}'s header has no kid: the signer's certificate is unknown")
    thumbprint = header.get("x5t#S256", kid)
    if thumbprint != kid:
        raise TrustError(f"the {what}'s header has a x5t#S256 ({thumbprint}) other than its kid")
    return header


def verify_detached(
    signature: str,
    chunks: Iterable[bytes],
    trusted: TrustList,
    *,
    at: datetime | None = None,
) -> VerifiedSignature:
    """Check a detached signature over the bytes in `chunks` against the trusted certificates.

    The signer's certificate must be valid at `at` (now by default). The header is checked
    before any byte is read, so a refused signature costs nothing."""
    if not isinstance(signature, str) or not signature.strip():
        raise TrustError("there is no signature: the flow must come with its detached JWS")
    parts = signature.strip().split(".")
    if len(parts) != 3:
        raise TrustError(
            f"a detached JWS has three parts separated by dots, this signature has {len(parts)}"
        )
    protected, payload, encoded_signature = parts
    if payload:
        raise TrustError(
            "the signature's middle part is not empty: interscambio expects a detached JWS, "
            "with the signed bytes sent separately"
        )
    header = decode_header(protected, "signature")
    crit = header.get("crit")
    if header.get("b64") is not False or not isinstance(crit, list) or "b64" not in crit:
        raise TrustError(
            'the signature\'s header must have "b64": false and "crit": ["b64"] '
            "(RFC 7797 unencoded payload)"
        )
    unknown = [name for name in crit if name != "b64"]
    if unknown:
        raise TrustError(f"the signature's header has critical members not understood: {unknown}")
    kid = header["kid"]
    cert = trusted.find(kid)
    check_validity(cert, utc(at))
    try:
        raw = b64url_decode(encoded_signature)
    except ValueError:
        raise TrustError("the signature's last part is not base64url") from None
    if len(raw) != 2 * _COORDINATE:
        raise TrustError(
            f"the signature is {len(raw)} bytes long, an {ALGORITHM} signature is {2 * _COORDINATE}"
        )
    digest = signing_digest(protected.encode("ascii") + b".", chunks)
    if not verify_digest(public_key(cert), digest, raw):
        raise TrustError(
            "the signature does not match: the bytes were altered after signing, "
            "or the signature belongs to other bytes"
        )
    return VerifiedSignature(certificate_node_id(cert), kid, header)


def verify_file(
    signature: str, path: Path, trusted: TrustList, at: datetime | None = None
) -> VerifiedSignature:
    return verify_detached(signature, read_chunks(path), trusted, at=at)
