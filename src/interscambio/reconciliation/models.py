# SPDX-License-Identifier: EUPL-1.2
"""What reconciliation keeps: its runs, the links it made and the discrepancies it found.

Links and discrepancies name people and permits by their codes (id anagrafe, numero permesso,
CUI) rather than by foreign keys: a Comune node has residents and no permit table, a Questura
node the other way round, and both keep what the partner's flows said. Nothing here is ever
deleted: a discrepancy changes state, and each change is a row of its history.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from interscambio.exchange.models import Flow
from interscambio.reconciliation import kinds


def _choices(table: dict[str, str]) -> list[tuple[str, str]]:
    return list(table.items())


class Run(models.Model):
    """One reconciliation: after a flow, or on demand, with what it found and how long it took."""

    AFTER_FLOW, ON_DEMAND, DEADLINES = "flusso", "richiesta", "scadenze"

    trigger = models.CharField(
        _("avvio"),
        max_length=10,
        choices=[
            (AFTER_FLOW, _("flusso")),
            (ON_DEMAND, _("richiesta")),
            (DEADLINES, _("scadenze")),  # the deadlines engine's findings
        ],
    )
    flow = models.ForeignKey(
        Flow, models.PROTECT, null=True, blank=True, related_name="reconciliations"
    )
    reference_date = models.DateField(_("data di riferimento"))
    started = models.DateTimeField(_("iniziata"), auto_now_add=True)
    finished = models.DateTimeField(_("conclusa"), null=True, blank=True)
    error = models.TextField(_("errore"), blank=True)
    counts = models.JSONField(_("conteggi"), default=dict)
    seconds = models.JSONField(_("tempi"), default=dict)

    class Meta:
        verbose_name = _("riconciliazione")
        verbose_name_plural = _("riconciliazioni")
        ordering = ["-started"]

    def __str__(self) -> str:
        return f"{self.trigger} {self.reference_date} ({self.pk})"


class Link(models.Model):
    """A permit attributed to a registry person, with the rule and the evidence."""

    AUTOMATIC, CONFIRMED, REJECTED = "automatico", "confermato", "respinto"

    permit_number = models.CharField(_("numero permesso"), max_length=30, unique=True)
    holder_cui = models.CharField(_("CUI"), max_length=20)
    registry_id = models.CharField(_("id anagrafe"), max_length=20)
    rule = models.CharField(_("regola"), max_length=20)
    score = models.FloatField(_("punteggio"), null=True)
    explanation = models.JSONField(_("spiegazione"), null=True)
    status = models.CharField(
        _("stato"),
        max_length=10,
        default=AUTOMATIC,
        choices=[
            (AUTOMATIC, _("automatico")),
            (CONFIRMED, _("confermato")),
            (REJECTED, _("respinto")),
        ],
    )
    run = models.ForeignKey(Run, models.PROTECT, related_name="links")
    flow = models.ForeignKey(Flow, models.PROTECT, null=True, blank=True, related_name="+")
    record_id = models.CharField(_("idRecord"), max_length=40, blank=True)
    updated = models.DateTimeField(_("aggiornato"), auto_now=True)

    class Meta:
        verbose_name = _("collegamento")
        verbose_name_plural = _("collegamenti")
        indexes = [
            models.Index(fields=["registry_id"], name="link_registry_id"),
            models.Index(fields=["holder_cui"], name="link_holder_cui"),
        ]

    def __str__(self) -> str:
        return f"{self.permit_number} → {self.registry_id} ({self.rule})"


class Discrepancy(models.Model):
    """Something the two offices' records disagree on, for a person to look at or already acted on.

    `key` names the subject (kind and the person or permit): while one discrepancy with a key
    is open or in review, finding the same again updates it instead of opening another.
    """

    kind = models.CharField(
        _("tipo"), max_length=32, choices=[(k, v.label) for k, v in kinds.KINDS.items()]
    )
    key = models.CharField(_("chiave"), max_length=120)
    severity = models.CharField(_("gravità"), max_length=5, choices=_choices(kinds.SEVERITIES))
    status = models.CharField(
        _("stato"), max_length=10, choices=_choices(kinds.STATUSES), default=kinds.OPEN
    )
    registry_id = models.CharField(_("id anagrafe"), max_length=20, blank=True)
    permit_number = models.CharField(_("numero permesso"), max_length=30, blank=True)
    holder_cui = models.CharField(_("CUI"), max_length=20, blank=True)
    summary = models.CharField(_("descrizione"), max_length=300)
    evidence = models.JSONField(_("evidenze"), default=dict)
    # A hash of the evidence (store.fingerprint): finding the same again is told without
    # reading the evidence back.
    fingerprint = models.CharField(_("impronta delle evidenze"), max_length=64, blank=True)
    rule = models.CharField(_("regola"), max_length=40)
    flow = models.ForeignKey(Flow, models.PROTECT, null=True, blank=True, related_name="+")
    record_id = models.CharField(_("idRecord"), max_length=40, blank=True)
    run = models.ForeignKey(Run, models.PROTECT, related_name="discrepancies")
    outcome = models.CharField(_("esito"), max_length=200, blank=True)
    due_date = models.DateField(_("scadenza"), null=True, blank=True)
    # The operator working it (reconciliation/queue/actions.py `assign`); history says who before.
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assegnata a"),
    )
    # A domicile check asked for and not yet answered, due on this day.
    check_due = models.DateField(_("verifica di domicilio entro"), null=True, blank=True)
    opened = models.DateTimeField(_("aperta il"), auto_now_add=True)
    updated = models.DateTimeField(_("aggiornata il"), auto_now=True)
    closed = models.DateTimeField(_("chiusa il"), null=True, blank=True)

    class Meta:
        verbose_name = _("discrepanza")
        verbose_name_plural = _("discrepanze")
        ordering = ["-opened"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                condition=Q(status__in=kinds.CURRENT),
                name="discrepancy_one_current_per_key",
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "status"], name="discrepancy_kind_status"),
            models.Index(fields=["registry_id"], name="discrepancy_registry_id"),
            models.Index(fields=["key"], name="discrepancy_key"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} ({self.status})"


class DiscrepancyChange(models.Model):
    """One step in a discrepancy's history: who or what changed it, from which state to which."""

    discrepancy = models.ForeignKey(Discrepancy, models.CASCADE, related_name="history")
    at = models.DateTimeField(_("quando"), auto_now_add=True)
    actor = models.CharField(_("autore"), max_length=150)
    action = models.CharField(_("azione"), max_length=30)
    from_status = models.CharField(_("da"), max_length=10, blank=True)
    to_status = models.CharField(_("a"), max_length=10)
    note = models.TextField(_("nota"), blank=True)
    data = models.JSONField(_("dati"), null=True)
    run = models.ForeignKey(Run, models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("modifica di discrepanza")
        verbose_name_plural = _("storia delle discrepanze")
        ordering = ["discrepancy", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.from_status}→{self.to_status}"
