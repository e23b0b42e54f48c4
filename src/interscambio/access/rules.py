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

from interscambio.access.models import Agreement, ApiClient, Authorization, Office
from interscambio.access.roles import QUESTURA_CONSULTANT, ROLES, VERIFIER
from interscambio.audit import actions, log
from interscambio.core.trust import TrustError
from interscambio.core.trust.keys import certificate_node_id, key_id, load_certificate

# The roles whose systems call the APIs: the Questura's for consultation, others to verify.
API_ROLES = frozenset({QUESTURA_CONSULTANT, VERIFIER})


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
            actions.GRANT,
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
            actions.REVOKE,
            user=by,
            office=authorization.office.name,
            role=authorization.role,
            query={"motivo": reason},
            records=[f"autorizzazione:{authorization.pk}"],
        )


def client_holds(client: ApiClient, day: date | None = None) -> bool:
    """Whether an API client may call today: not revoked, and covered if its role needs it."""
    day = day or timezone.localdate()
    if client.revoked_at is not None:
        return False
    return not ROLES[client.role].needs_agreement or covered(client.office, day)


def add_client(
    office: Office, role: str, certificate_pem: bytes, *, by: str, shows_expiry: bool = False
) -> ApiClient:
    """Register an office's system by its certificate, for the API of `role`."""
    if role not in API_ROLES:
        raise AccessError(f"an API client is a {' or a '.join(sorted(API_ROLES))}, not {role!r}")
    if office.kind not in ROLES[role].offices:
        raise AccessError(f"the role {role} is not for an office of kind {office.kind}")
    if shows_expiry and role != VERIFIER:
        raise AccessError("only a verifier's answers carry the permit's expiry")
    if not by.strip():
        raise AccessError("say who adds the client")
    try:
        cert = load_certificate(certificate_pem)
        client_id = certificate_node_id(cert)
    except TrustError as error:
        raise AccessError(f"the certificate cannot be used: {error}") from None
    kid = key_id(cert)
    if ApiClient.objects.filter(kid=kid).exists():
        raise AccessError(f"the certificate {kid} is registered already")
    with transaction.atomic():
        client = ApiClient.objects.create(
            office=office,
            role=role,
            client_id=client_id,
            kid=kid,
            certificate=certificate_pem.decode("ascii"),
            shows_expiry=shows_expiry,
            added_by=by,
        )
        log.append(
            actions.CLIENT_ADDED,
            user=by,
            office=office.name,
            role=role,
            query={"client": client_id, "kid": kid, "scadenza": shows_expiry},
            records=[f"client:{client.pk}"],
        )
    return client


def revoke_client(client: ApiClient, *, by: str) -> None:
    if client.revoked_at is not None:
        raise AccessError(f"the client {client.client_id} was already revoked")
    if not by.strip():
        raise AccessError("say who revokes the client")
    with transaction.atomic():
        client.revoked_at, client.revoked_by = timezone.now(), by
        client.save(update_fields=["revoked_at", "revoked_by"])
        log.append(
            actions.CLIENT_REVOKED,
            user=by,
            office=client.office.name,
            role=client.role,
            query={"client": client.client_id, "kid": client.kid},
            records=[f"client:{client.pk}"],
        )


def set_account(
    username: str, password: str | None, *, reset_second_factor: bool = False, by: str
) -> bool:
    """Create a local account or set its password (checked against the password rules), and
    forget its authenticator if asked; logged. True when the account is new."""
    from django.contrib.auth import get_user_model, password_validation
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if not by.strip():
        raise AccessError("say who changes the account")
    with transaction.atomic():
        user, created = get_user_model().objects.get_or_create(username=username)
        if password is not None:
            password_validation.validate_password(password, user)
            user.set_password(password)
            user.save()
        elif created:
            raise AccessError("a new account needs a password")
        if reset_second_factor:
            TOTPDevice.objects.filter(user=user).delete()
        log.append(
            actions.ACCOUNT,
            user=by,
            query={
                "utente": username,
                "nuova": created,
                "password": password is not None,
                "secondo_fattore_azzerato": reset_second_factor,
            },
        )
    return created
