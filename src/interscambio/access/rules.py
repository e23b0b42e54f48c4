# SPDX-License-Identifier: EUPL-1.2
"""Whether a user may act in a role today, and granting and revoking that, logged.

An authorization holds from its first day to its expiry unless revoked; one of a role that
rests on the agreement holds only while an agreement in force covers its office, so when the
agreement ends (and is not renewed) its users lose access that very day, with nothing to
switch off by hand.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from interscambio.access.models import Agreement, Authorization, Office
from interscambio.access.roles import ROLES
from interscambio.audit import log


class AccessError(Exception):
    """An authorization cannot be granted or revoked as asked; the message says why."""


def covered(office: Office, day: date) -> bool:
    return Agreement.objects.filter(offices=office, start__lte=day, end__gte=day).exists()


def active(user: AbstractBaseUser, day: date | None = None) -> list[Authorization]:
    """The user's authorizations in force on `day` (today by default)."""
    day = day or timezone.localdate()
    found = Authorization.objects.filter(
        user=user, revoked_at__isnull=True, valid_from__lte=day, expires__gte=day
    ).select_related("office")
    return [a for a in found if not ROLES[a.role].needs_agreement or covered(a.office, day)]


def may(user: AbstractBaseUser, role: str, day: date | None = None) -> Authorization | None:
    """The authorization by which `user` acts in `role` on `day`, or None."""
    return next((a for a in active(user, day) if a.role == role), None)


def grant(
    user: AbstractBaseUser,
    office: Office,
    role: str,
    *,
    until: date,
    by: str,
    since: date | None = None,
) -> Authorization:
    since = since or timezone.localdate()
    if role not in ROLES:
        raise AccessError(f"unknown role {role!r} (roles: {', '.join(ROLES)})")
    if office.kind not in ROLES[role].offices:
        raise AccessError(f"the role {role} is not for an office of kind {office.kind}")
    if until < since:
        raise AccessError(f"the expiry {until} is before the first day {since}")
    if not by.strip():
        raise AccessError("say who grants the authorization")
    with transaction.atomic():
        granted = Authorization.objects.create(
            user=user, office=office, role=role, valid_from=since, expires=until, granted_by=by
        )
        log.append(
            "autorizzazione_concessa",
            user=by,
            office=office.name,
            role=role,
            query={
                "utente": user.get_username(),
                "dal": since.isoformat(),
                "al": until.isoformat(),
            },
            records=[f"autorizzazione:{granted.pk}"],
        )
    return granted


def revoke(authorization: Authorization, *, by: str, reason: str) -> None:
    if authorization.revoked_at is not None:
        raise AccessError(f"authorization {authorization.pk} was already revoked")
    if not by.strip() or not reason.strip():
        raise AccessError("say who revokes the authorization and why")
    with transaction.atomic():
        authorization.revoked_at = timezone.now()
        authorization.revoked_by, authorization.revocation_reason = by, reason
        authorization.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
        log.append(
            "autorizzazione_revocata",
            user=by,
            office=authorization.office.name,
            role=authorization.role,
            query={"motivo": reason},
            records=[f"autorizzazione:{authorization.pk}"],
        )
