# SPDX-License-Identifier: EUPL-1.2
"""Headers every answer carries: a strict Content Security Policy, no caching of pages that
show personal data, no browser features the portal does not use."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from django.http import HttpRequest, HttpResponse

# Bootstrap Italia's bundled video.js adds two <style> elements of its own (an empty one and
# its player's size rules): they are allowed by their hashes, so no other inline style or script
# runs. A new Bootstrap Italia release may change the second hash; the browser test reports any
# refused style. The fonts come from portal/fonts.css.
BOOTSTRAP_ITALIA_STYLES: Final = (
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=' "
    "'sha256-wPXhisdsFu1DtHYH1D9W5isSGqS5vIPn6QJWSNLqfCM='"
)
CSP: Final = (
    f"default-src 'self'; script-src 'self'; style-src 'self' {BOOTSTRAP_ITALIA_STYLES}; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
PERMISSIONS: Final = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


def security_headers(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[..., HttpResponse]:
    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        response.setdefault("Content-Security-Policy", CSP)
        response.setdefault("Permissions-Policy", PERMISSIONS)
        if not request.path.startswith("/static/"):
            # Personal data must not stay in a shared computer's cache or a proxy's.
            response["Cache-Control"] = "no-store"
        return response

    return middleware
