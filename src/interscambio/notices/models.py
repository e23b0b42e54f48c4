# SPDX-License-Identifier: EUPL-1.2
"""A notice sent to a resident about one permit's expiry.

The deadlines engine reads these: the cancellation rule (DPR 223/1989 art. 11 c.1 lett. c) may
only reach a person who was invited to act, so the letter's date is part of the person's deadlines.
One notice per resident, kind and expiry: a renewed permit with a new expiry gets its own.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class NoticeBatch(models.Model):
    """One run of `interscambio notices`: the letters' PDF and mail-merge CSV, who made them."""

    sent_on = models.DateField(_("data di invio"))
    created_at = models.DateTimeField(_("generato il"), auto_now_add=True)
    generated_by = models.CharField(_("generato da"), max_length=150)
    kinds = models.CharField(_("tipi"), max_length=40)
    within_days = models.PositiveIntegerField(_("giorni alla scadenza"))
    letters = models.PositiveIntegerField(_("lettere"))
    pdf_path = models.CharField(_("file PDF"), max_length=500)
    pdf_sha256 = models.CharField(_("SHA-256 del PDF"), max_length=64)
    csv_path = models.CharField(_("file CSV"), max_length=500)
    csv_sha256 = models.CharField(_("SHA-256 del CSV"), max_length=64)

    class Meta:
        verbose_name = _("lotto di avvisi")
        verbose_name_plural = _("lotti di avvisi")

    def __str__(self) -> str:
        return f"{self.pk} {self.sent_on} ({self.letters})"


class Notice(models.Model):
    EXPIRING = "in_scadenza"
    EXPIRED = "scaduto"
    KINDS = [
        (EXPIRING, _("permesso in scadenza")),
        (EXPIRED, _("permesso scaduto senza rinnovo noto (invito a provvedere entro 30 giorni)")),
    ]

    resident = models.ForeignKey(
        "registry.Resident", on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField(_("tipo"), max_length=12, choices=KINDS)
    permit_expiry = models.DateField(_("scadenza del permesso"))
    language = models.CharField(_("lingua"), max_length=8)
    sent_on = models.DateField(_("data di invio"))
    # Empty for a notice recorded otherwise (by hand, or before batches existed).
    batch = models.ForeignKey(
        NoticeBatch,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="notices",
        verbose_name=_("lotto"),
    )

    class Meta:
        verbose_name = _("avviso")
        verbose_name_plural = _("avvisi")
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "kind", "permit_expiry"], name="one_notice_per_expiry"
            )
        ]
        indexes = [models.Index(fields=["sent_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.resident_id} {self.sent_on}"
