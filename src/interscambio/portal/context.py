# SPDX-License-Identifier: EUPL-1.2
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from interscambio.access import rules
from interscambio.access.roles import (
    PREFETTURA_SUPERVISOR,
    QUESTURA_OPERATOR,
    REGISTRY_ADMIN,
    REGISTRY_OPERATOR,
    ROLES,
)
from interscambio.consultation.reads import CONSULTING
from interscambio.portal.acting import verified
from interscambio.portal.views.exchange import watches


def portal(request: HttpRequest) -> dict[str, Any]:
    """The node's name and, for a logged-in user, the roles they hold today (for the menu)."""
    held: set[str] = set()
    if verified(request):
        held = {a.role for a in rules.active(request.user)}
    return {
        "node_name": settings.NODE_NAME,
        "node_role": settings.NODE_ROLE,
        "held_roles": held,
        "can_search": settings.NODE_ROLE == "comune" and bool(held & CONSULTING),
        "can_work_queue": bool(
            held
            & (
                {QUESTURA_OPERATOR}
                if settings.NODE_ROLE == "questura"
                else {REGISTRY_ADMIN, REGISTRY_OPERATOR}
            )
        ),
        "can_supervise": bool(held & {PREFETTURA_SUPERVISOR, REGISTRY_ADMIN}),
        "can_watch_exchange": watches(held),
        "role_labels": {code: role.label for code, role in ROLES.items()},
        "oidc_enabled": settings.OIDC_ENABLED,
    }
