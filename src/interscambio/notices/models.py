# SPDX-License-Identifier: EUPL-1.2
"""A notice sent to a resident about one permit's expiry.

The deadlines engine reads these: the cancellation rule (DPR 223/1989 art. 11 c.1 lett. c) may
only reach a person who was invited to act, so the letter's date is part of the person's deadlines.
One notice per resident, kind and expiry: a renewed permit with a new expiry gets its own.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


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
