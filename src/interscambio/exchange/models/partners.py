# SPDX-License-Identifier: EUPL-1.2
"""The nodes this node exchanges with, the certificates it trusts them by, tokens already seen."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

API, FILE = "api", "file"


class Partner(models.Model):
    """A partner node: a Questura for a Comune node, a Comune for a Questura node."""

    node_id = models.CharField(_("id nodo"), max_length=10, unique=True)
    name = models.CharField(_("nome"), max_length=100)
    transport = models.CharField(
        _("trasporto"), max_length=4, choices=[(API, "API (HTTPS)"), (FILE, _("file firmati"))]
    )
    url = models.CharField(
        _("indirizzo API"), max_length=200, blank=True, help_text=_("e.g. https://host/")
    )
    outbox = models.CharField(
        _("cartella di uscita"), max_length=500, blank=True, help_text=_("file transport")
    )
    inbox = models.CharField(
        _("cartella di entrata"), max_length=500, blank=True, help_text=_("file transport")
    )
    since = models.DateField(
        _("scambio dal"), help_text=_("The first day the agreement covers: periods start here")
    )
    active = models.BooleanField(_("attivo"), default=True)

    class Meta:
        verbose_name = _("nodo partner")
        verbose_name_plural = _("nodi partner")
        ordering = ["node_id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.node_id})"

    @property
    def outbox_dir(self) -> Path:
        return Path(self.outbox) if self.outbox else settings.DATA_DIR / "outbox" / self.node_id

    @property
    def inbox_dir(self) -> Path:
        return Path(self.inbox) if self.inbox else settings.DATA_DIR / "inbox" / self.node_id


class PartnerCertificate(models.Model):
    """One entry of the trust list: a certificate a partner signs with (several during rotation)."""

    partner = models.ForeignKey(
        Partner, models.CASCADE, related_name="certificates", verbose_name=_("partner")
    )
    kid = models.CharField(_("impronta (x5t#S256)"), max_length=43, unique=True)
    pem = models.TextField(_("certificato PEM"))
    not_after = models.DateTimeField(_("valido fino al"))
    added = models.DateTimeField(_("aggiunto il"), auto_now_add=True)

    class Meta:
        verbose_name = _("certificato di un partner")
        verbose_name_plural = _("lista di fiducia")

    def __str__(self) -> str:
        return f"{self.partner.node_id} {self.kid}"


class SeenToken(models.Model):
    """A client-assertion `jti` already used: a second request with it is a replay."""

    jti = models.CharField(max_length=100)
    node_id = models.CharField(max_length=10)
    expires = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["node_id", "jti"], name="seen_token_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.node_id} {self.jti}"
