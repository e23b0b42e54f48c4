# SPDX-License-Identifier: EUPL-1.2
"""API transport, server side: the endpoint where partners POST their flows.

Every refusal before the flow is read (who is calling, replayed token, altered body) is an
RFC 7807 problem; from then on the answer is always the node's signed receipt.
"""

from __future__ import annotations

import hashlib
import tempfile
from base64 import b64encode
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from interscambio.core.flows.receipt import APPLIED, HELD
from interscambio.core.flows.spec import MEDIA_TYPE
from interscambio.core.trust import TrustError, verify_integrity, verify_token
from interscambio.exchange.importing import receive
from interscambio.exchange.models import Partner, SeenToken
from interscambio.exchange.transport.api import SIGNATURE_HEADER
from interscambio.exchange.trust import trust_list

CHUNK = 1 << 20
STATUS = {APPLIED: 200, HELD: 202}


def problem(status: int, title: str, detail: str) -> JsonResponse:
    response = JsonResponse(
        {"type": "about:blank", "title": title, "status": status, "detail": detail},
        status=status,
        content_type="application/problem+json",
    )
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return response


def _spool(request: HttpRequest, folder: Path) -> tuple[Path, str]:
    """The body to a file in the flow store, with its ModI Digest; memory stays flat."""
    digest = hashlib.sha256()
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=folder, suffix=".upload", delete=False) as spool:
        while chunk := request.read(CHUNK):
            digest.update(chunk)
            spool.write(chunk)
    return Path(spool.name), "SHA-256=" + b64encode(digest.digest()).decode("ascii")


@csrf_exempt
@require_POST
def receive_flow(request: HttpRequest) -> HttpResponse:
    leeway = timedelta(seconds=settings.EXCHANGE_CLOCK_TOLERANCE_SECONDS)
    authorization = request.headers.get("Authorization", "")
    if not authorization.startswith("Bearer "):
        return problem(
            401, "Unauthorized", "a client assertion is required: Authorization: Bearer <JWT>"
        )
    trusted = trust_list()
    try:
        token = verify_token(
            authorization.removeprefix("Bearer ").strip(),
            trusted,
            audience=settings.NODE_ID,
            leeway=leeway,
        )
    except TrustError as error:
        return problem(401, "Unauthorized", f"client assertion: {error}")
    partner = Partner.objects.get(node_id=token.node_id)
    try:
        with transaction.atomic():
            SeenToken.objects.filter(expires__lt=timezone.now() - leeway).delete()
            SeenToken.objects.create(
                jti=token.jti, node_id=token.node_id, expires=token.expires + leeway
            )
    except IntegrityError:
        return problem(
            401, "Unauthorized", f"client assertion: jti {token.jti!r} was used already (a replay)"
        )
    size = int(request.headers.get("Content-Length") or 0)
    if size > settings.EXCHANGE_MAX_FLOW_BYTES:
        return problem(
            413,
            "Payload Too Large",
            f"this node takes flows up to {settings.EXCHANGE_MAX_FLOW_BYTES} bytes",
        )
    content_type = request.content_type or ""
    if content_type != MEDIA_TYPE:
        return problem(
            415, "Unsupported Media Type", f"a flow is sent as {MEDIA_TYPE}, not {content_type!r}"
        )
    spool, digest = _spool(request, settings.DATA_DIR / "flows" / "in" / "incoming")
    try:
        if request.headers.get("Digest", "") != digest:
            return problem(
                400, "Bad Request", "Digest: the body received does not match the Digest header"
            )
        try:
            verify_integrity(
                request.headers.get("Agid-JWT-Signature", ""),
                trusted,
                audience=settings.NODE_ID,
                digest=digest,
                content_type=MEDIA_TYPE,
                leeway=leeway,
            )
        except TrustError as error:
            return problem(400, "Bad Request", f"Agid-JWT-Signature: {error}")
        try:
            delivery = receive(spool, request.headers.get(SIGNATURE_HEADER, ""), sender=partner)
        except DatabaseError:
            # The database restarted under the import: its transaction was undone. The sender
            # keeps the flow queued and sends it again, which applies it whole.
            response = problem(
                503,
                "Service Unavailable",
                "the node's database failed while taking the flow: nothing of it was applied; "
                "send it again later",
            )
            response["Retry-After"] = "60"
            return response
    finally:
        spool.unlink(missing_ok=True)
    response = HttpResponse(
        delivery.signed.body,
        status=STATUS.get(delivery.outcome, 422),
        content_type="application/json",
    )
    response[SIGNATURE_HEADER] = delivery.signed.signature
    return response
