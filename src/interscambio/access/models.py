# SPDX-License-Identifier: EUPL-1.2
"""Offices, the agreement that covers them, and each user's authorizations."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from interscambio.access import roles


class Office(models.Model):
    code = models.CharField(_("codice"), max_length=20, unique=True)
    name = models.CharField(_("nome"), max_length=150)
    kind = models.CharField(_("tipo"), max_length=25, choices=list(roles.OFFICE_KINDS.items()))

    class Meta:
        verbose_name = _("ufficio")
        verbose_name_plural = _("uffici")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class Agreement(models.Model):
    """The agreement (protocollo d'intesa) that lets other offices in, from start to end."""

    title = models.CharField(_("titolo"), max_length=200)
    reference = models.CharField(_("estremi dell'atto"), max_length=200, blank=True)
    start = models.DateField(_("dal"))
    end = models.DateField(_("al"))
    offices = models.ManyToManyField(Office, related_name="agreements", verbose_name=_("uffici"))

    class Meta:
        verbose_name = _("protocollo d'intesa")
        verbose_name_plural = _("protocolli d'intesa")
        ordering = ["-start"]

    def __str__(self) -> str:
        return f"{self.title} ({self.start} – {self.end})"

    def in_force(self, day: date) -> bool:
        return self.start <= day <= self.end


class Authorization(models.Model):
    """A user acting for an office in a role, from a day until an expiry, unless revoked."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="authorizations"
    )
    office = models.ForeignKey(Office, models.PROTECT, related_name="authorizations")
    role = models.CharField(
        _("ruolo"), max_length=30, choices=[(r.code, r.label) for r in roles.ROLES.values()]
    )
    valid_from = models.DateField(_("dal"))
    expires = models.DateField(_("scade il"))
    granted_by = models.CharField(_("concessa da"), max_length=150)
    granted_at = models.DateTimeField(_("concessa il"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revocata il"), null=True, blank=True)
    revoked_by = models.CharField(_("revocata da"), max_length=150, blank=True)
    revocation_reason = models.CharField(_("motivo della revoca"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("autorizzazione")
        verbose_name_plural = _("autorizzazioni")
        ordering = ["user", "-valid_from"]
        indexes = [models.Index(fields=["user", "expires"], name="authorization_user_expires")]

    def __str__(self) -> str:
        return f"{self.user} {self.role} @ {self.office} until {self.expires}"


class ApiClient(models.Model):
    """An office's system calling the consultation or verification API with its own key.

    The client signs each call's assertion with the key of `certificate`; the role says which
    API it may call, and one that rests on the agreement holds only while its office is covered.
    """

    office = models.ForeignKey(Office, models.PROTECT, related_name="api_clients")
    role = models.CharField(
        _("ruolo"), max_length=30, choices=[(r.code, r.label) for r in roles.ROLES.values()]
    )
    client_id = models.CharField(_("identificativo del client"), max_length=64)
    kid = models.CharField(_("impronta del certificato (x5t#S256)"), max_length=64, unique=True)
    certificate = models.TextField(_("certificato (PEM)"))
    shows_expiry = models.BooleanField(_("può conoscere la scadenza del permesso"), default=False)
    added_by = models.CharField(_("aggiunto da"), max_length=150)
    added_at = models.DateTimeField(_("aggiunto il"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revocato il"), null=True, blank=True)
    revoked_by = models.CharField(_("revocato da"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("client delle API")
        verbose_name_plural = _("client delle API")
        ordering = ["office", "client_id"]

    def __str__(self) -> str:
        return f"{self.client_id} ({self.role} @ {self.office})"
