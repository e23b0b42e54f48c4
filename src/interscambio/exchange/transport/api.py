# SPDX-License-Identifier: EUPL-1.2
"""API transport, client side: POST a signed flow to the partner's node, get its receipt.

In the style of the national interoperability guidelines (ModI): a signed JWT client assertion
with a one-time `jti` authenticates the sender (`Authorization: Bearer`), a `Digest` of the
body and an `Agid-JWT-Signature` token over it protect its integrity in transit, and the
flow's own detached signature travels in `Interscambio-Firma`. The receiver answers with its
signed receipt: 200 applied, 202 held, 422 refused.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from interscambio.core.flows.spec import MEDIA_TYPE
from interscambio.core.trust import NodeIdentity, client_assertion, digest_of_file, integrity_token
from interscambio.exchange.transport import TransportError

FLOWS_PATH = "api/v1/flussi"
SIGNATURE_HEADER = "Interscambio-Firma"


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    signature: str


def endpoint(base_url: str) -> str:
    return base_url.rstrip("/") + "/" + FLOWS_PATH


def post_flow(
    identity: NodeIdentity, base_url: str, audience: str, path: Path, signature: str
) -> Answer:
    """Send the flow at `path`; TransportError when there is no receipt to show for it."""
    digest = digest_of_file(path)
    headers = {
        "Content-Type": MEDIA_TYPE,
        "Content-Length": str(path.stat().st_size),
        "Digest": digest,
        "Authorization": f"Bearer {client_assertion(identity, audience)}",
        "Agid-JWT-Signature": integrity_token(
            identity, audience, digest=digest, content_type=MEDIA_TYPE
        ),
        SIGNATURE_HEADER: signature,
    }
    url = endpoint(base_url)
    if not url.startswith(("https://", "http://")):
        raise TransportError(f"the partner's address {url!r} is not an http(s) URL")
    with path.open("rb") as body:
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(  # noqa: S310 - scheme checked above
                request, timeout=settings.EXCHANGE_HTTP_TIMEOUT_SECONDS
            ) as response:
                return Answer(
                    response.status, response.read(), response.headers.get(SIGNATURE_HEADER, "")
                )
        except urllib.error.HTTPError as error:
            answer = Answer(error.code, error.read(), error.headers.get(SIGNATURE_HEADER, ""))
            if answer.signature:
                return answer  # a refusal with a receipt is an answer, not a failure
            detail = answer.body[:300].decode("utf-8", "replace")
            raise TransportError(
                f"{url} answered {error.code} without a receipt: {detail}"
            ) from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise TransportError(f"{url} cannot be reached: {reason}") from None
