# SPDX-License-Identifier: EUPL-1.2
"""The Comune's registry of foreign residents, as loaded from its registry system."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from interscambio.core import codes
from interscambio.core.addresses import written


def choices(table: dict[str, str]) -> list[tuple[str, str]]:
    return list(table.items())


class Street(models.Model):
    """A street of the Comune's gazetteer (stradario), with its range of civic numbers."""

    code = models.CharField(_("codice via"), max_length=10, unique=True)
    dug = models.CharField(_("DUG"), max_length=30, help_text=_("VIA, CORSO, PIAZZA..."))
    name = models.CharField(_("denominazione"), max_length=120)
    civic_min = models.PositiveIntegerField(_("civico minimo"))
    civic_max = models.PositiveIntegerField(_("civico massimo"))
    district = models.PositiveSmallIntegerField(_("circoscrizione"), null=True, blank=True)
    postal_code = models.CharField(_("CAP"), max_length=5, blank=True)

    class Meta:
        verbose_name = _("via")
        verbose_name_plural = _("stradario")
        ordering = ["dug", "name"]

    def __str__(self) -> str:
        return self.official_name

    @property
    def official_name(self) -> str:
        return f"{self.dug} {self.name}"


class Family(models.Model):
    """A registry family (famiglia anagrafica): people living together at one address."""

    code = models.CharField(_("codice famiglia"), max_length=20, unique=True)

    class Meta:
        verbose_name = _("famiglia anagrafica")
        verbose_name_plural = _("famiglie anagrafiche")

    def __str__(self) -> str:
        return self.code


class Resident(models.Model):
    """A foreign resident, current or cancelled, with address and the registry's permit data."""

    registry_id = models.CharField(_("id anagrafe"), max_length=20, unique=True)
    codice_fiscale = models.CharField(_("codice fiscale"), max_length=16, db_index=True)
    surname = models.CharField(_("cognome"), max_length=100)
    given_names = models.CharField(_("nome"), max_length=100)
    sex = models.CharField(_("sesso"), max_length=1, choices=choices(codes.SEXES))
    birth_date = models.DateField(_("data di nascita"))
    birth_place = models.CharField(_("luogo di nascita"), max_length=100)
    birth_place_code = models.CharField(_("codice luogo di nascita"), max_length=4)

    status = models.CharField(
        _("stato anagrafico"), max_length=12, choices=choices(codes.REGISTRY_STATUSES)
    )
    registration_date = models.DateField(_("data di iscrizione"))
    cancellation_date = models.DateField(_("data di cancellazione"), null=True, blank=True)
    cancellation_reason = models.CharField(
        _("motivo di cancellazione"),
        max_length=2,
        blank=True,
        choices=choices(codes.CANCELLATION_REASONS),
    )

    family = models.ForeignKey(
        Family, models.PROTECT, related_name="members", verbose_name=_("famiglia")
    )
    family_relation = models.CharField(
        _("relazione di parentela"), max_length=2, choices=choices(codes.FAMILY_RELATIONS)
    )
    street = models.ForeignKey(
        Street, models.PROTECT, related_name="residents", verbose_name=_("via")
    )
    civic_number = models.PositiveIntegerField(_("civico"))
    civic_suffix = models.CharField(_("esponente"), max_length=5, blank=True)
    staircase = models.CharField(_("scala"), max_length=5, blank=True)
    floor = models.CharField(_("piano"), max_length=5, blank=True)
    flat = models.CharField(_("interno"), max_length=5, blank=True)

    # The stay title as the registry knows it, which may lag behind the Questura's.
    title_kind = models.CharField(
        _("tipo titolo di soggiorno"),
        max_length=1,
        blank=True,
        choices=choices(codes.STAY_TITLE_KINDS),
    )
    title_number = models.CharField(_("numero titolo"), max_length=30, blank=True)
    title_questura_code = models.CharField(_("codice questura"), max_length=5, blank=True)
    title_questura_name = models.CharField(_("questura di rilascio"), max_length=60, blank=True)
    title_issue_date = models.DateField(_("data rilascio titolo"), null=True, blank=True)
    title_expiry_date = models.DateField(_("data scadenza titolo"), null=True, blank=True)
    title_renewal_date = models.DateField(_("data rinnovo titolo"), null=True, blank=True)
    title_renewal_requested_date = models.DateField(
        _("data richiesta rinnovo"), null=True, blank=True
    )
    dwelling_declaration_date = models.DateField(
        _("data dichiarazione di dimora abituale"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("residente straniero")
        verbose_name_plural = _("residenti stranieri")
        indexes = [
            models.Index(fields=["surname", "given_names"]),
            models.Index(fields=["birth_date"]),
            models.Index(fields=["status"]),
            models.Index(fields=["title_expiry_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.surname} {self.given_names} ({self.registry_id})"

    @property
    def address(self) -> str:
        return written(
            self.street.official_name,
            self.civic_number,
            self.civic_suffix,
            self.staircase,
            self.floor,
            self.flat,
        )


class Citizenship(models.Model):
    """One citizenship of a resident; rank 0 is the main one."""

    resident = models.ForeignKey(
        Resident, models.CASCADE, related_name="citizenships", verbose_name=_("residente")
    )
    country = models.CharField(_("cittadinanza (ISO 3166-1 alpha-3)"), max_length=3)
    rank = models.PositiveSmallIntegerField(_("ordine"))

    class Meta:
        verbose_name = _("cittadinanza")
        verbose_name_plural = _("cittadinanze")
        ordering = ["resident", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["resident", "rank"], name="citizenship_rank_unique"),
        ]
        indexes = [models.Index(fields=["country", "rank"])]

    def __str__(self) -> str:
        return self.country


class RegistryEvent(models.Model):
    """A registration, change or cancellation of a resident, with its reason and what changed."""

    event_id = models.CharField(_("id evento"), max_length=30, unique=True)
    resident = models.ForeignKey(
        Resident, models.CASCADE, related_name="events", verbose_name=_("residente")
    )
    kind = models.CharField(
        _("tipo"),
        max_length=13,
        choices=[(k, k.capitalize()) for k in codes.EVENT_KINDS],
    )
    reason_code = models.CharField(_("codice motivo"), max_length=20)
    date = models.DateField(_("data evento"))
    changes = models.JSONField(_("dettagli"), default=dict, blank=True)

    class Meta:
        verbose_name = _("evento anagrafico")
        verbose_name_plural = _("eventi anagrafici")
        ordering = ["date", "event_id"]
        indexes = [models.Index(fields=["date", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.reason_code} {self.date}"
