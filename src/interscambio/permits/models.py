# SPDX-License-Identifier: EUPL-1.2
"""The Questura's residence permits, with their holders as the Questura recorded them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from interscambio.core import codes
from interscambio.registry.models import choices


class Permit(models.Model):
    """A residence permit (or EU card) with its application, dates and renewal chain.

    The holder's identity and declared domicile are kept as recorded on this permit: the
    Questura may spell a name differently from the registry, and from one permit to the next.
    """

    number = models.CharField(_("numero permesso"), max_length=30, unique=True)
    kind = models.CharField(_("tipo"), max_length=4, choices=choices(codes.PERMIT_KINDS))
    reason = models.CharField(_("motivo"), max_length=30, choices=choices(codes.PERMIT_REASONS))
    channel = models.CharField(
        _("canale di richiesta"), max_length=15, choices=choices(codes.PERMIT_CHANNELS)
    )
    application_number = models.CharField(_("numero domanda (kit)"), max_length=10, blank=True)
    registered_post_number = models.CharField(_("numero raccomandata"), max_length=12, blank=True)
    application_date = models.DateField(_("data domanda"))
    issue_date = models.DateField(_("data rilascio"), null=True, blank=True)
    delivery_date = models.DateField(_("data consegna"), null=True, blank=True)
    expiry_date = models.DateField(_("data scadenza"), null=True, blank=True)
    status = models.CharField(_("stato"), max_length=10, choices=choices(codes.PERMIT_STATUSES))
    previous_number = models.CharField(_("numero permesso precedente"), max_length=30, blank=True)
    previous = models.ForeignKey(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="renewals",
        verbose_name=_("permesso precedente"),
    )

    holder_cui = models.CharField(_("CUI del titolare"), max_length=20, db_index=True)
    codice_fiscale = models.CharField(_("codice fiscale"), max_length=16, blank=True, db_index=True)
    surname = models.CharField(_("cognome"), max_length=100)
    given_names = models.CharField(_("nome"), max_length=100)
    sex = models.CharField(_("sesso"), max_length=1, choices=choices(codes.SEXES))
    birth_date = models.DateField(_("data di nascita"))
    birth_place = models.CharField(_("luogo di nascita"), max_length=100, blank=True)
    citizenship = models.CharField(_("cittadinanza"), max_length=3)
    domicile_address = models.CharField(_("domicilio dichiarato"), max_length=200, blank=True)
    domicile_comune = models.CharField(_("comune di domicilio"), max_length=100, blank=True)
    domicile_comune_code = models.CharField(_("codice ISTAT del comune"), max_length=6, blank=True)

    class Meta:
        verbose_name = _("permesso di soggiorno")
        verbose_name_plural = _("permessi di soggiorno")
        indexes = [
            models.Index(fields=["surname", "given_names"]),
            models.Index(fields=["issue_date"]),
            models.Index(fields=["delivery_date"]),
            models.Index(fields=["expiry_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.get_kind_display()})"
