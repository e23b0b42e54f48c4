# SPDX-License-Identifier: EUPL-1.2
"""What a node is: its role (comune or questura) and its id, from the settings."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import CommandError

ROLE_LABELS = {"comune": "Comune (anagrafe)", "questura": "Questura (Ufficio Immigrazione)"}


def require_role(role: str, what: str) -> None:
    """Stop a command that belongs to the other role, saying how to run it where it belongs."""
    if role != settings.NODE_ROLE:
        raise CommandError(
            f"{what} belongs on a {role} node, and this node is a {settings.NODE_ROLE} node "
            f"(INTERSCAMBIO_ROLE={settings.NODE_ROLE}). Run it with INTERSCAMBIO_ROLE={role}."
        )
