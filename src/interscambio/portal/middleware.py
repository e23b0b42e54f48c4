# SPDX-License-Identifier: EUPL-1.2
"""Headers every answer carries: a strict Content Security Policy, no caching of pages that
show personal data, no browser features the portal does not use."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from django.http import HttpRequest, HttpResponse
from django.utils.module_loading import import_string

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


API_PREFIX: Final = "/api/"


def _portal_only(path: str) -> type:
    """Django's middleware at `path`, passed over for the APIs: an API call carries a signed
    assertion, never a language, a login or a message to show, and at hundreds of calls a
    second the work these do for nothing is a tenth of the server's CPU (docs/api.md). A
    subclass, so that Django's checks still find the middleware they look for."""
    base = import_string(path)

    def __call__(self: Any, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(API_PREFIX):
            return self.get_response(request)  # type: ignore[no-any-return]
        return base.__call__(self, request)  # type: ignore[no-any-return]

    return type(f"PortalOnly{base.__name__}", (base,), {"__call__": __call__})


Locale = _portal_only("django.middleware.locale.LocaleMiddleware")
Common = _portal_only("django.middleware.common.CommonMiddleware")
Authentication = _portal_only("django.contrib.auth.middleware.AuthenticationMiddleware")
SecondFactor = _portal_only("django_otp.middleware.OTPMiddleware")
Messages = _portal_only("django.contrib.messages.middleware.MessageMiddleware")
