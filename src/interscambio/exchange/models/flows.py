# SPDX-License-Identifier: EUPL-1.2
"""Every flow this node sent or received, with its state, signature and receipt."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from interscambio.exchange.models.partners import Partner

OUT, IN = "out", "in"

# Outgoing: exported and waiting to go (or to be retried), delivered as a file and waiting for
# the receipt, then what the receipt said.
QUEUED, SENT, ACKNOWLEDGED, REJECTED = "queued", "sent", "acknowledged", "rejected"
# Incoming: stored and not yet processed (a crash in between is resumed), then the outcome.
RECEIVED, APPLIED, REFUSED = "received", "applied", "refused"
# Either side: the receiver holds the flow for its operator (a sequence gap).
HELD = "held"

STATES = [
    (QUEUED, _("in coda")),
    (SENT, _("inviato")),
    (ACKNOWLEDGED, _("ricevuta positiva")),
    (REJECTED, _("ricevuta negativa")),
    (RECEIVED, _("ricevuto")),
    (HELD, _("sospeso")),
    (APPLIED, _("applicato")),
    (REFUSED, _("rifiutato")),
]
# States that take up a sequence number for good; a refused flow's number is used again.
LIVE_OUT = (QUEUED, SENT, ACKNOWLEDGED, HELD)


class Flow(models.Model):
    direction = models.CharField(_("verso"), max_length=3, choices=[(OUT, "out"), (IN, "in")])
    partner = models.ForeignKey(
        Partner, models.PROTECT, related_name="flows", verbose_name=_("partner")
    )
    # Unknown (blank, null) only for an incoming flow refused before its header could be read.
    flow_type = models.CharField(
        _("tipo"),
        max_length=8,
        blank=True,
        choices=[("anagrafe", "anagrafe"), ("permessi", "permessi")],
    )
    sequence = models.PositiveIntegerField(_("sequenza"), null=True)
    period_start = models.DateField(_("dal"), null=True)
    period_end = models.DateField(_("al"), null=True)
    generated = models.DateTimeField(_("generato"), null=True)
    record_count = models.PositiveIntegerField(_("record"), default=0)
    sha256 = models.CharField(max_length=64)
    previous_hash = models.CharField(max_length=64, blank=True)
    signature = models.TextField(_("firma (JWS)"), blank=True)
    payload = models.CharField(
        _("file"), max_length=300, help_text=_("path under the data folder's flows/")
    )
    state = models.CharField(_("stato"), max_length=12, choices=STATES)
    attempts = models.PositiveIntegerField(_("tentativi"), default=0)
    next_attempt = models.DateTimeField(_("prossimo tentativo"), null=True, blank=True)
    last_error = models.TextField(_("ultimo errore"), blank=True)
    receipt = models.TextField(_("ricevuta"), blank=True)
    receipt_signature = models.TextField(_("firma della ricevuta"), blank=True)
    created = models.DateTimeField(_("creato"), auto_now_add=True)
    updated = models.DateTimeField(_("aggiornato"), auto_now=True)
    sent = models.DateTimeField(_("inviato il"), null=True, blank=True)
    closed = models.DateTimeField(
        _("concluso il"), null=True, blank=True, help_text=_("acknowledged, applied or refused")
    )
    payload_purged = models.DateTimeField(
        _("file eliminato il"),
        null=True,
        blank=True,
        help_text=_("by the retention (docs/operations.md): hash and signature remain"),
    )

    class Meta:
        verbose_name = _("flusso")
        verbose_name_plural = _("flussi")
        ordering = ["direction", "partner", "flow_type", "sequence", "created"]
        constraints = [
            # One live flow per sequence number and direction; refused ones stay as history.
            models.UniqueConstraint(
                fields=["direction", "partner", "flow_type", "sequence"],
                condition=~Q(state__in=[REJECTED, REFUSED]),
                name="flow_live_sequence_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["partner", "sha256"]),
            models.Index(fields=["state", "next_attempt"]),
        ]

    def __str__(self) -> str:
        arrow = "→" if self.direction == OUT else "←"
        return f"{self.flow_type} #{self.sequence} {arrow} {self.partner.node_id} ({self.state})"

    @property
    def path(self) -> Path:
        return settings.DATA_DIR / "flows" / self.payload

    @property
    def file_name(self) -> str:
        return Path(self.payload).name

    @property
    def period_label(self) -> str:
        if self.period_start is None or self.period_end is None:
            return "?"
        return f"{self.period_start:%Y-%m-%d} – {self.period_end:%Y-%m-%d}"
