# SPDX-License-Identifier: EUPL-1.2
"""The two signed JWTs of the API transport, in the style of the ModI interoperability model.

AgID's guidelines for the interoperability of Italian public administrations (ModI) give each
REST call an authentication token (ID_AUTH_REST_02: who calls, for which audience, once) and,
when the body matters, an integrity token (INTEGRITY_REST_01, the `Agid-JWT-Signature` header:
the SHA-256 `Digest` and `Content-Type` of the body, signed). Both are ES256 JWTs that name the
signer's certificate by `kid` = `x5t#S256`, as the flows' signatures do.

Partners' clocks are never quite in step: `iat`, `nbf` and `exp` are checked with a tolerance
(`leeway`, 5 minutes by default). Replay protection is the caller's job: a verified token's `jti`
must be remembered (in the database) until it expires, and a second use refused.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from jwcrypto import jwk, jwt  # type: ignore[import-untyped]

from interscambio.core.trust.jws import (
    ALGORITHM,
    decode_header,
    read_chunks,
    signing_digest,
    verify_digest,
)
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
    when,
)

LIFETIME: Final = timedelta(minutes=5)
AUDIT_DIGEST: Final = "audit_digest"
LEEWAY: Final = timedelta(minutes=5)


@dataclass(frozen=True)
class VerifiedToken:
    """A token whose signature, signer, audience and times were checked."""

    node_id: str
    jti: str
    claims: dict[str, Any]
    expires: datetime


def digest_header(chunks: Iterable[bytes]) -> str:
    """The `Digest` header of a body (RFC 3230, as ModI uses it): `SHA-256=` and base64."""
    return "SHA-256=" + base64.b64encode(signing_digest(b"", chunks)).decode("ascii")


def digest_of_file(path: Path) -> str:
    return digest_header(read_chunks(path))


def _sign(identity: NodeIdentity, claims: dict[str, Any]) -> str:
    header = {"alg": ALGORITHM, "typ": "JWT", "kid": identity.kid, "x5t#S256": identity.kid}
    token = jwt.JWT(header=header, claims=claims)
    token.make_signed_token(jwk.JWK.from_pyca(identity.key))
    return str(token.serialize())


def _claims(
    identity: NodeIdentity, audience: str, lifetime: timedelta, now: datetime | None
) -> dict[str, Any]:
    issued = utc(now)
    return {
        "iss": identity.node_id,
        "sub": identity.node_id,
        "aud": audience,
        "jti": str(uuid.uuid4()),
        "iat": int(issued.timestamp()),
        "nbf": int(issued.timestamp()),
        "exp": int((issued + lifetime).timestamp()),
    }


def client_assertion(
    identity: NodeIdentity,
    audience: str,
    *,
    lifetime: timedelta = LIFETIME,
    now: datetime | None = None,
    tracking: str | None = None,
) -> str:
    """The authentication token (ID_AUTH_REST_02) of one call to `audience`; with `tracking`,
    bound to that tracking-evidence token by its digest (AUDIT_REST_02)."""
    claims = _claims(identity, audience, lifetime, now)
    if tracking is not None:
        claims[AUDIT_DIGEST] = evidence_digest(tracking)
    return _sign(identity, claims)


def evidence_digest(token: str) -> str:
    """How a client assertion names the tracking evidence it goes with: SHA-256, base64url."""
    return b64url_encode(hashlib.sha256(token.strip().encode("ascii")).digest())


def tracking_evidence(
    identity: NodeIdentity,
    audience: str,
    user_id: str,
    *,
    location: str = "",
    loa: str = "",
    lifetime: timedelta = LIFETIME,
    now: datetime | None = None,
) -> str:
    """The tracking evidence (AUDIT_REST_02): which of the caller's users asks, from where, at
    which level of assurance; the caller vouches for it by signing."""
    claims = _claims(identity, audience, lifetime, now)
    claims.update({"userID": user_id, "userLocation": location, "LoA": loa})
    return _sign(identity, claims)


def integrity_token(
    identity: NodeIdentity,
    audience: str,
    *,
    digest: str,
    content_type: str,
    lifetime: timedelta = LIFETIME,
    now: datetime | None = None,
) -> str:
    """The `Agid-JWT-Signature` value (INTEGRITY_REST_01) of a body with this Digest and type."""
    claims = _claims(identity, audience, lifetime, now)
    claims["signed_headers"] = [{"digest": digest}, {"content-type": content_type}]
    return _sign(identity, claims)


def _tolerance(leeway: timedelta) -> str:
    seconds = int(leeway.total_seconds())
    return f"{seconds // 60} min" if seconds % 60 == 0 else f"{seconds} s"


def _moment(claims: dict[str, Any], name: str) -> datetime:
    value = claims.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TrustError(f"the token's {name} is missing or not a number of seconds")
    return datetime.fromtimestamp(value, UTC)


def _check_times(claims: dict[str, Any], now: datetime, leeway: timedelta) -> datetime:
    clock = f"this node's clock says {when(now)}, tolerance {_tolerance(leeway)}"
    issued = _moment(claims, "iat")
    if issued > now + leeway:
        raise TrustError(f"the token was issued at {when(issued)}, in the future ({clock})")
    if "nbf" in claims:
        start = _moment(claims, "nbf")
        if start > now + leeway:
            raise TrustError(f"the token is not valid before {when(start)} ({clock})")
    expires = _moment(claims, "exp")
    if expires + leeway < now:
        raise TrustError(f"the token expired at {when(expires)} ({clock})")
    return expires


def verify_token(
    token: str,
    trusted: TrustList,
    *,
    audience: str,
    now: datetime | None = None,
    leeway: timedelta = LEEWAY,
) -> VerifiedToken:
    """Check a ModI-style JWT addressed to `audience` (this node) and signed by a trusted partner.

    Checks: ES256 signature by the certificate named by `kid`, valid now; `typ` JWT if present;
    `iss` and `sub` both the certificate's node id; `aud` this node (a string, or a list holding
    it); `iat` and `nbf` not in the future and `exp` not past, each within `leeway` to allow for
    clocks a few minutes apart; a `jti`. Remembering the `jti` until `expires`, to refuse a
    replay, is the caller's job."""
    moment = utc(now)
    if not isinstance(token, str) or not token.strip():
        raise TrustError("there is no token")
    parts = token.strip().split(".")
    if len(parts) != 3 or not all(parts):
        raise TrustError("the token is not a compact JWS (three non-empty parts separated by dots)")
    protected, payload, encoded_signature = parts
    header = decode_header(protected, "token")
    typ = header.get("typ")
    if typ is not None and (not isinstance(typ, str) or typ.upper() != "JWT"):
        raise TrustError(f"the token's typ is {typ!r}, expected 'JWT'")
    if "crit" in header or "b64" in header:
        raise TrustError("the token's header has crit or b64 members, which a JWT may not use")
    cert = trusted.find(header["kid"])
    node_id = certificate_node_id(cert)
    check_validity(cert, moment)
    try:
        raw = b64url_decode(encoded_signature)
    except ValueError:
        raise TrustError("the token's signature is not base64url") from None
    try:
        claims_json = b64url_decode(payload)
    except ValueError:
        raise TrustError("the token's claims are not base64url") from None
    # Both parts are ASCII now: the alphabet of base64url.
    digest = signing_digest(f"{protected}.{payload}".encode("ascii"), ())
    if not verify_digest(public_key(cert), digest, raw):
        raise TrustError(
            f"the token's signature does not match: it was altered, or not signed by {node_id}"
        )
    try:
        claims = json.loads(claims_json)
    except ValueError:
        raise TrustError("the token's claims are not JSON") from None
    if not isinstance(claims, dict):
        raise TrustError("the token's claims are not a JSON object")
    for name in ("iss", "sub"):
        if claims.get(name) != node_id:
            raise TrustError(
                f"the token's {name} is {claims.get(name)!r}, but it is signed with the "
                f"certificate of {node_id!r}"
            )
    aud = claims.get("aud")
    if not (aud == audience or (isinstance(aud, list) and audience in aud)):
        raise TrustError(f"token addressed to {aud!r}, this node is {audience!r}")
    expires = _check_times(claims, moment, leeway)
    jti = claims.get("jti")
    if not isinstance(jti, str) or not jti:
        raise TrustError("the token has no jti: without it a replay cannot be detected")
    return VerifiedToken(node_id, jti, claims, expires)


def verify_integrity(
    token: str,
    trusted: TrustList,
    *,
    audience: str,
    digest: str,
    content_type: str,
    now: datetime | None = None,
    leeway: timedelta = LEEWAY,
) -> VerifiedToken:
    """`verify_token`, then the signed headers must be exactly this body's Digest and type."""
    verified = verify_token(token, trusted, audience=audience, now=now, leeway=leeway)
    signed = verified.claims.get("signed_headers")
    if not isinstance(signed, list) or not all(isinstance(item, dict) for item in signed):
        raise TrustError("the integrity token has no signed_headers list")
    values: dict[str, list[Any]] = {}
    for item in signed:
        for name, value in item.items():
            values.setdefault(str(name).lower(), []).append(value)
    if values.get("digest") != [digest]:
        raise TrustError(
            f"the body's Digest does not match the signed one (signed {values.get('digest')}, "
            f"received {digest!r})"
        )
    if values.get("content-type") != [content_type]:
        raise TrustError(
            f"the body's Content-Type does not match the signed one "
            f"(signed {values.get('content-type')}, received {content_type!r})"
        )
    return verified
