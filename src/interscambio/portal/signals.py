# SPDX-License-Identifier: EUPL-1.2
"""Logins that fail and logouts, into the access log (a login that succeeds is logged when
its second factor passes, in views/login.py)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_out, user_login_failed
from django.dispatch import receiver

from interscambio.audit import actions, log


@receiver(user_login_failed)
def _failed(sender: Any, credentials: dict[str, Any], request: Any = None, **_: Any) -> None:
    log.append(
        actions.LOGIN_FAILED,
        user=str(credentials.get("username", ""))[:150],
        query={"fattore": "password"},
    )


@receiver(user_logged_out)
def _out(sender: Any, request: Any, user: Any, **_: Any) -> None:
    if user is not None:
        log.append(actions.LOGOUT, user=user.get_username())
