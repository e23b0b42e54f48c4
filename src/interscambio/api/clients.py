# SPDX-License-Identifier: EUPL-1.2
"""Who is calling: the client assertion, the registered client, the tracking evidence.

A refusal is an `ApiProblem` that the views turn into an RFC 7807 answer: 401 when the caller
is not known to be who it says (no token, bad signature, unknown key, replay), 403 when it is
known but may not call this API (another role, revoked, its office out of the agreement).

Every call looks its client up, so each worker process keeps what it found for a few seconds
(`REGISTERED_SECONDS`): a revocation or the end of the agreement reaches every worker within
that time, and the process that made the change at once. A view calls `authenticate` inside
the transaction of its answer, so a call refused later (a bad body) does not use up its
assertion: a refused call leaves nothing behind.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import Any, Final

from cryptography import x509
from django.conf import settings
from django.db import connection
from django.http import HttpRequest
from django.utils import timezone

from interscambio.access import rules
from interscambio.access.models import ApiClient
from interscambio.api.models import SeenAssertion
from interscambio.core.trust import (
    TrustError,
    TrustList,
    VerifiedToken,
    evidence_digest,
    load_certificate,
    verify_token,
)
from interscambio.core.trust.jws import decode_header
from interscambio.core.trust.tokens import AUDIT_DIGEST

TRACKING_HEADER: Final = "Agid-JWT-TrackingEvidence"


class ApiProblem(Exception):
    def __init__(self, status: int, title: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail = status, title, detail


def _unauthorized(detail: str) -> ApiProblem:
    return ApiProblem(401, "Unauthorized", detail)


@dataclass(frozen=True)
class Caller:
    client: ApiClient
    user: str  # the end user the tracking evidence names, or the client itself
    tracking: dict[str, Any] | None


@dataclass(frozen=True)
class _Registered:
    client: ApiClient
    trusted: TrustList
    holds: bool  # not revoked, and its office covered today if its role needs that
    until: float  # monotonic seconds after which it is looked up again


REGISTERED_SECONDS: Final = 5.0
_registered: dict[str, _Registered] = {}


def forget() -> None:
    """Look every client up afresh (the access app calls this when clients, offices or the
    agreement change)."""
    _registered.clear()


@lru_cache(maxsize=256)
def _certificate(pem: str) -> x509.Certificate:
    return load_certificate(pem.encode("ascii"))


def _lookup(kid: str) -> _Registered | None:
    now = time.monotonic()
    known = _registered.get(kid)
    if known is not None and known.until > now:
        return known
    client = ApiClient.objects.select_related("office").filter(kid=kid).first()
    if client is None:
        _registered.pop(kid, None)
        return None
    trusted = TrustList([_certificate(client.certificate)])
    known = _Registered(client, trusted, rules.client_holds(client), now + REGISTERED_SECONDS)
    _registered[kid] = known
    return known


def _kid(token: str) -> str:
    head = token.split(".", 1)[0]
    return str(decode_header(head, "client assertion")["kid"])


def _verified(token: str, trusted: TrustList, what: str) -> VerifiedToken:
    leeway = timedelta(seconds=settings.EXCHANGE_CLOCK_TOLERANCE_SECONDS)
    try:
        return verify_token(token, trusted, audience=settings.NODE_ID, leeway=leeway)
    except TrustError as error:
        raise _unauthorized(f"{what}: {error}") from None


def _tracking(request: HttpRequest, trusted: TrustList, bound: Any) -> dict[str, Any] | None:
    token = request.headers.get(TRACKING_HEADER, "").strip()
    if not token:
        return None
    claims = _verified(token, trusted, TRACKING_HEADER).claims
    if bound != evidence_digest(token):
        raise _unauthorized(
            f"{TRACKING_HEADER}: the client assertion's {AUDIT_DIGEST} does not name this "
            "tracking evidence (sign the assertion with the digest of the evidence sent)"
        )
    user = claims.get("userID")
    if not isinstance(user, str) or not user.strip() or len(user) > 150:
        raise _unauthorized(f"{TRACKING_HEADER}: userID must name the end user (1-150 chars)")
    return claims


_swept = [0.0]  # when this process last cleared expired assertions (monotonic seconds)
SWEEP_SECONDS: Final = 60


def _sweep(leeway: timedelta) -> None:
    """Forget expired assertions, once a minute per process rather than on every call: an
    expired assertion is refused by its `exp` anyway, so keeping it a little longer is free."""
    now = time.monotonic()
    if now - _swept[0] >= SWEEP_SECONDS:
        _swept[0] = now
        SeenAssertion.objects.filter(expires__lt=timezone.now() - leeway).delete()


_SEEN_TABLE: Final = SeenAssertion._meta.db_table
# The table name is the model's own, never input. No row back: the jti was seen already.
_SEEN: Final = (
    f"INSERT INTO {_SEEN_TABLE} (client_id, jti, expires) VALUES (%s, %s, %s) "  # noqa: S608
    "ON CONFLICT (client_id, jti) DO NOTHING RETURNING id"
)


def _remember(verified: VerifiedToken, client: ApiClient) -> None:
    leeway = timedelta(seconds=settings.EXCHANGE_CLOCK_TOLERANCE_SECONDS)
    _sweep(leeway)
    expires = connection.ops.adapt_datetimefield_value(verified.expires + leeway)
    with connection.cursor() as cursor:
        cursor.execute(_SEEN, [client.client_id, verified.jti, expires])
        if cursor.fetchone() is None:
            raise _unauthorized(
                f"client assertion: jti {verified.jti!r} was used already (a replay)"
            )


def authenticate(request: HttpRequest, role: str, *, tracking_required: bool) -> Caller:
    """The caller of this request, checked for `role`; ApiProblem when refused."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        raise _unauthorized("a client assertion is required: Authorization: Bearer <JWT>")
    token = header.removeprefix("Bearer ").strip()
    try:
        kid = _kid(token)
    except (TrustError, IndexError) as error:
        raise _unauthorized(f"client assertion: {error}") from None
    registered = _lookup(kid)
    if registered is None:
        raise _unauthorized(
            f"client assertion: signed by an unregistered key (kid {kid}); the Comune adds "
            "a client with `interscambio access client`"
        )
    client, trusted = registered.client, registered.trusted
    verified = _verified(token, trusted, "client assertion")
    tracking = _tracking(request, trusted, verified.claims.get(AUDIT_DIGEST))
    if tracking_required and tracking is None:
        raise _unauthorized(
            f"this API needs the end user's identity: send {TRACKING_HEADER} (a JWT with "
            f"userID) and name its digest in the assertion's {AUDIT_DIGEST}"
        )
    if client.role != role:
        raise ApiProblem(
            403, "Forbidden", f"the client {client.client_id} is a {client.role}, not a {role}"
        )
    if not registered.holds:
        raise ApiProblem(
            403,
            "Forbidden",
            f"the client {client.client_id} is revoked or its office "
            f"{client.office.code} is not covered by an agreement in force today",
        )
    _remember(verified, client)
    user = str(tracking["userID"]) if tracking else client.client_id
    return Caller(client, user, tracking)
