# SPDX-License-Identifier: EUPL-1.2
"""Who is acting on a portal page: a user past both factors, by an authorization in force.

`requires(*roles)` guards a view: anonymous or half-logged-in users go to the login, a user
without an authorization in force today for one of the roles gets 403. The roles are kept on
the view (`view.roles`) so the route test can read what each page declares.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from interscambio.access import rules
from interscambio.access.models import Authorization

View = Callable[..., HttpResponse]
OIDC_SESSION_KEY = "interscambio_oidc_verified"


def verified(request: HttpRequest) -> bool:
    """Past the second factor: a TOTP code, or an identity provider that vouches for one."""
    user = request.user
    if not user.is_authenticated:
        return False
    return bool(getattr(user, "is_verified", lambda: False)()) or bool(
        request.session.get(OIDC_SESSION_KEY)
    )


def authorization(request: HttpRequest, roles: frozenset[str]) -> Authorization | None:
    """The user's authorization in force today for one of `roles` (the first by role order)."""
    held = [a for a in rules.active(request.user) if a.role in roles]
    return min(held, key=lambda a: (sorted(roles).index(a.role), a.pk), default=None)


def forbidden(request: HttpRequest, reason: str) -> HttpResponse:
    """The 403 page; `reason` is already in the reader's language."""
    return render(request, "portal/403.html", {"reason": reason}, status=403)


def requires(*roles: str) -> Callable[[View], View]:
    wanted = frozenset(roles)

    def wrap(view: View) -> View:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not verified(request):
                return redirect_to_login(request.get_full_path())
            acting = authorization(request, wanted)
            if acting is None:
                return forbidden(
                    request, _("Nessuna autorizzazione in vigore oggi consente questa pagina.")
                )
            request.acting = acting  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        guarded.roles = wanted  # type: ignore[attr-defined]
        return guarded

    return wrap
