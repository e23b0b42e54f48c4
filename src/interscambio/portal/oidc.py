# SPDX-License-Identifier: EUPL-1.2
"""Login through an external identity provider (OpenID Connect), when configured.

Enabled by INTERSCAMBIO_OIDC_ISSUER (docs/portal.md). The provider authenticates; the portal
still decides: the account must exist (an administrator created and authorized it: no user is
made on the fly), matched by the username claim, and the provider must say that a second
factor was used (`amr` holding one of INTERSCAMBIO_OIDC_MFA_AMR, or `acr` one of
INTERSCAMBIO_OIDC_MFA_ACR, such as SPID level 2 or CIE). Without it the portal asks for its own
TOTP code as after a password.
"""

from __future__ import annotations

import os
from typing import Any

from django.contrib.auth.models import User
from django.contrib.auth.signals import user_logged_in
from django.db.models import QuerySet
from django.dispatch import receiver
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from interscambio.audit import actions, log
from interscambio.portal.acting import OIDC_SESSION_KEY

MFA_AMR = frozenset(os.environ.get("INTERSCAMBIO_OIDC_MFA_AMR", "mfa,otp,hwk").split(","))
MFA_ACR = frozenset(
    filter(
        None,
        os.environ.get(
            "INTERSCAMBIO_OIDC_MFA_ACR",
            "https://www.spid.gov.it/SpidL2,https://www.spid.gov.it/SpidL3",
        ).split(","),
    )
)
_VOUCHED = "_interscambio_oidc_mfa"


def vouches_for_second_factor(claims: dict[str, Any]) -> bool:
    amr = claims.get("amr") or []
    return bool(set(amr) & MFA_AMR) or claims.get("acr") in MFA_ACR


class Backend(OIDCAuthenticationBackend):  # type: ignore[misc]
    def filter_users_by_claims(self, claims: dict[str, Any]) -> QuerySet[User]:
        from django.conf import settings

        username = claims.get(settings.OIDC_USERNAME_CLAIM)
        if not username:
            return self.UserModel.objects.none()
        return self.UserModel.objects.filter(username=username, is_active=True)

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        user = super().get_or_create_user(access_token, id_token, payload)
        if user is not None and self.request is not None:
            setattr(self.request, _VOUCHED, vouches_for_second_factor(payload))
        return user


@receiver(user_logged_in)
def _mark(sender: Any, request: Any, user: Any, **_: Any) -> None:
    if request is not None and getattr(request, _VOUCHED, False):
        request.session[OIDC_SESSION_KEY] = True
        log.append(actions.LOGIN, user=user.get_username(), query={"fattore": "oidc"})
