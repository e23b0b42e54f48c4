# SPDX-License-Identifier: EUPL-1.2
"""Pages for everyone: the home page, the privacy notice, security.txt."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html")


def privacy(request: HttpRequest) -> HttpResponse:
    context = {
        "controller": settings.PRIVACY_CONTROLLER,
        "contact": settings.PRIVACY_CONTACT,
        "idle_minutes": settings.SESSION_COOKIE_AGE // 60,
    }
    return render(request, "portal/privacy.html", context)


def security_txt(request: HttpRequest) -> HttpResponse:
    """RFC 9116: whom to tell about a vulnerability; it expires within a year, as it must."""
    expires = (timezone.now() + timedelta(days=180)).replace(microsecond=0)
    lines = [
        f"Contact: {settings.SECURITY_CONTACT}",
        f"Expires: {expires.strftime('%Y-%m-%dT%H:%M:%SZ')}",
        "Preferred-Languages: it, en",
        f"Canonical: {request.build_absolute_uri('/.well-known/security.txt')}",
        f"Policy: {request.build_absolute_uri('/privacy/')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
