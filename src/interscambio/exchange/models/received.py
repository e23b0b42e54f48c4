# SPDX-License-Identifier: EUPL-1.2
"""The partner's records, as received in applied flows: the input of the reconciliation.

A Questura node keeps each registry event a Comune reported; a Comune node keeps each permit
issued or delivered that the Questura reported. They are kept as received, one row per record,
with the flow they came in, so any later conclusion can be traced back to a signed flow.

These tables take a month's flow, a million rows, in one COPY, and each index and trigger on
them is paid per row (benchmarks/flows.py). So: the unique constraint on (flow, idRecord) is
the index by flow and the duplicate check; the lookups the reconciliation makes by code are
plain B-tree indexes (Meta.indexes), without the LIKE-pattern twins PostgreSQL gets for a
CharField's db_index; and the flow is referenced without a database foreign key, whose
per-row check cost a fifth of the import: the rows are written only by the import, in the
transaction that holds their flow, and PROTECT keeps the ORM from deleting a flow with rows.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from interscambio.exchange.models.flows import Flow


class ReceivedRegistryEvent(models.Model):
    flow = models.ForeignKey(
        Flow, models.PROTECT, related_name="registry_events", db_index=False, db_constraint=False
    )
    line = models.PositiveIntegerField(_("riga"))
    record_id = models.CharField(_("idRecord"), max_length=40)
    kind = models.CharField(_("tipo evento"), max_length=13)
    reason_code = models.CharField(_("codice motivo"), max_length=20)
    date = models.DateField(_("data evento"))
    registry_id = models.CharField(_("id anagrafe"), max_length=20)
    codice_fiscale = models.CharField(_("codice fiscale"), max_length=16)
    surname = models.CharField(_("cognome"), max_length=100)
    given_names = models.CharField(_("nome"), max_length=100)
    sex = models.CharField(_("sesso"), max_length=1)
    birth_date = models.DateField(_("data di nascita"))
    birth_place = models.CharField(_("luogo di nascita"), max_length=100)
    birth_place_code = models.CharField(_("codice luogo di nascita"), max_length=4)
    citizenships = models.CharField(_("cittadinanze"), max_length=100, help_text="ISO3;ISO3")
    street_code = models.CharField(_("codice via"), max_length=10)
    address = models.CharField(_("indirizzo"), max_length=250)
    previous_address = models.CharField(_("indirizzo precedente"), max_length=250, blank=True)
    title_kind = models.CharField(_("tipo titolo"), max_length=2, blank=True)
    title_number = models.CharField(_("numero titolo"), max_length=30, blank=True)
    title_expiry_date = models.DateField(_("scadenza titolo"), null=True)
    title_renewal_date = models.DateField(_("rinnovo titolo"), null=True)
    changes = models.JSONField(_("variazioni"), null=True)

    class Meta:
        verbose_name = _("evento anagrafico ricevuto")
        verbose_name_plural = _("eventi anagrafici ricevuti")
        constraints = [
            models.UniqueConstraint(fields=["flow", "record_id"], name="received_event_unique"),
        ]
        indexes = [models.Index(fields=["codice_fiscale"], name="received_event_cf")]

    def __str__(self) -> str:
        return f"{self.kind} {self.reason_code} {self.date} {self.codice_fiscale}"


class ReceivedPermit(models.Model):
    flow = models.ForeignKey(
        Flow, models.PROTECT, related_name="permits", db_index=False, db_constraint=False
    )
    line = models.PositiveIntegerField(_("riga"))
    record_id = models.CharField(_("idRecord"), max_length=40)
    event = models.CharField(_("evento"), max_length=8, help_text="rilascio, consegna")
    number = models.CharField(_("numero permesso"), max_length=30)
    kind = models.CharField(_("tipo"), max_length=4)
    reason = models.CharField(_("motivo"), max_length=40)
    channel = models.CharField(_("canale"), max_length=15)
    application_date = models.DateField(_("data domanda"))
    issue_date = models.DateField(_("data rilascio"))
    delivery_date = models.DateField(_("data consegna"), null=True)
    expiry_date = models.DateField(_("data scadenza"), null=True)
    previous_number = models.CharField(_("permesso precedente"), max_length=30, blank=True)
    holder_cui = models.CharField(_("CUI"), max_length=20)
    codice_fiscale = models.CharField(_("codice fiscale"), max_length=16, blank=True)
    surname = models.CharField(_("cognome"), max_length=100)
    given_names = models.CharField(_("nome"), max_length=100)
    sex = models.CharField(_("sesso"), max_length=1)
    birth_date = models.DateField(_("data di nascita"))
    birth_place = models.CharField(_("luogo di nascita"), max_length=100, blank=True)
    citizenship = models.CharField(_("cittadinanza"), max_length=3)
    domicile_address = models.CharField(_("domicilio"), max_length=200)
    domicile_comune = models.CharField(_("comune di domicilio"), max_length=100)
    domicile_comune_code = models.CharField(_("codice ISTAT"), max_length=6)

    class Meta:
        verbose_name = _("permesso ricevuto")
        verbose_name_plural = _("permessi ricevuti")
        constraints = [
            models.UniqueConstraint(fields=["flow", "record_id"], name="received_permit_unique"),
        ]
        indexes = [
            models.Index(fields=["number"], name="received_permit_number"),
            models.Index(fields=["codice_fiscale"], name="received_permit_cf"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.event}"
