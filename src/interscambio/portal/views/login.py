# SPDX-License-Identifier: EUPL-1.2
"""Login in two steps: the password (lockout after repeated failures, by django-axes), then a
TOTP code from the user's app (django-otp), set up on the first login. Only then is the user
logged in for the portal, and the access log says so."""

from __future__ import annotations

from base64 import b32encode
from typing import Any

import segno
from django.contrib import auth
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from interscambio.audit import actions, log
from interscambio.portal.acting import verified
from interscambio.portal.forms import CodeForm, PasswordForm

NEXT = "interscambio_next"


class PasswordStep(LoginView):
    template_name = "portal/login.html"
    authentication_form = PasswordForm
    redirect_authenticated_user = False

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Past the password but not the code (or an identity provider that gave no second
        # factor): the next step is the code.
        if request.user.is_authenticated and not verified(request):
            return redirect("portal:second-factor")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        wanted = self.get_redirect_url()
        auth.login(self.request, form.get_user())
        self.request.session[NEXT] = wanted
        return redirect("portal:second-factor")


def locked_out(
    request: HttpRequest, credentials: dict[str, Any], *args: Any, **kw: Any
) -> HttpResponse:
    """What django-axes answers once an account has failed too many times."""
    return render(request, "portal/locked.html", status=403)


def _next(request: HttpRequest) -> str:
    wanted = request.session.pop(NEXT, "") or ""
    if url_has_allowed_host_and_scheme(wanted, {request.get_host()}, require_https=False):
        return wanted
    return "/"


def _passed(request: HttpRequest, device: TOTPDevice, how: str) -> HttpResponse:
    with transaction.atomic():
        otp_login(request, device)
        log.append(actions.LOGIN, user=request.user.get_username(), query={"fattore": how})
    return redirect(_next(request))


def _failed(request: HttpRequest, form: CodeForm) -> None:
    log.append(actions.LOGIN_FAILED, user=request.user.get_username(), query={"fattore": "totp"})
    form.add_error("code", _("Codice non valido o scaduto. Riprovi con il codice attuale."))


def second_factor(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("portal:login")
    if verified(request):
        return redirect(_next(request))
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if device is None:
        return redirect("portal:enroll")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _why = device.verify_is_allowed()
        if allowed and device.verify_token(form.cleaned_data["code"].strip()):
            return _passed(request, device, "totp")
        _failed(request, form)
    return render(request, "portal/second_factor.html", {"form": form})


def enroll(request: HttpRequest) -> HttpResponse:
    """The first login: the user adds the portal to an authenticator app and proves it."""
    if not request.user.is_authenticated:
        return redirect("portal:login")
    if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        return redirect("portal:second-factor")
    device, _ = TOTPDevice.objects.get_or_create(
        user=request.user, confirmed=False, defaults={"name": "portale"}
    )
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _why = device.verify_is_allowed()
        if allowed and device.verify_token(form.cleaned_data["code"].strip()):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            return _passed(request, device, "totp_attivato")
        _failed(request, form)
    context = {
        "form": form,
        "qr": segno.make(device.config_url, error="m").svg_data_uri(scale=5),
        "secret": b32encode(device.bin_key).decode("ascii"),
    }
    return render(request, "portal/enroll.html", context)


def logout(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        auth.logout(request)
    return redirect("portal:login")
