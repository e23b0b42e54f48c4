# SPDX-License-Identifier: EUPL-1.2
"""What the deadlines engine keeps: each resident's current deadlines, every change of state,
and the daily runs.

`Deadline` is derived (the job recomputes it from the registry, the exchange and the notices);
`Transition` is the history and is never deleted: it names the person by id anagrafe, so it
outlives the registry row.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from interscambio.core import deadlines as rules

STATE_LABELS = {
    rules.NOT_SUBJECT: _("non soggetto"),
    rules.REGULAR: _("regolare"),
    rules.EXPIRING: _("permesso in scadenza"),
    rules.RENEWAL_PENDING: _("rinnovo in corso"),
    rules.DECLARATION_AWAITED: _("dichiarazione di dimora attesa"),
    rules.DECLARATION_MISSED: _("dichiarazione di dimora non resa"),
    rules.EXPIRED: _("scaduto, avviso da inviare"),
    rules.NOTIFIED: _("avvisato, termini in corso"),
    rules.CANCELLABLE: _("cancellabile"),
}
STATE_CHOICES = [(state, STATE_LABELS[state]) for state in rules.STATES]


class Run(models.Model):
    """One run of the daily job: its reference date, what it counted and how long it took."""

    reference_date = models.DateField(_("data di riferimento"), db_index=True)
    started = models.DateTimeField(_("iniziato"), auto_now_add=True)
    counts = models.JSONField(_("conteggi"), default=dict)
    seconds = models.FloatField(_("secondi"), default=0.0)

    class Meta:
        verbose_name = _("calcolo delle scadenze")
        verbose_name_plural = _("calcoli delle scadenze")
        ordering = ["-started"]

    def __str__(self) -> str:
        return f"{self.reference_date} ({self.pk})"


class Deadline(models.Model):
    """A resident's state and the dates that matter for it, as of the last run that changed it."""

    resident = models.OneToOneField(
        "registry.Resident",
        models.CASCADE,
        primary_key=True,
        related_name="deadline",
        verbose_name=_("residente"),
    )
    state = models.CharField(_("stato"), max_length=24, choices=STATE_CHOICES)
    since = models.DateField(_("dal"))
    reason = models.CharField(_("motivo"), max_length=120)
    expiry = models.DateField(_("scadenza del permesso"), null=True, blank=True)
    declaration_due = models.DateField(_("dichiarazione di dimora entro"), null=True, blank=True)
    notice_from = models.DateField(_("avviso dovuto dal"), null=True, blank=True)
    notice_due_by = models.DateField(_("avviso da inviare entro"), null=True, blank=True)
    cancellation_due = models.DateField(_("sei mesi dalla scadenza"), null=True, blank=True)
    noticed_on = models.DateField(_("avviso inviato il"), null=True, blank=True)
    cancellable_from = models.DateField(_("cancellabile dal"), null=True, blank=True)
    # The next date the office must act by: the work queue's sort key.
    due_date = models.DateField(_("scadenza"), null=True, blank=True)
    run = models.ForeignKey(Run, models.PROTECT, related_name="+", verbose_name=_("calcolo"))

    class Meta:
        verbose_name = _("scadenze del residente")
        verbose_name_plural = _("scadenze dei residenti")
        indexes = [
            models.Index(fields=["state", "due_date"], name="deadline_state_due"),
            models.Index(fields=["due_date"], name="deadline_due"),
        ]

    def __str__(self) -> str:
        return f"{self.resident_id} {self.state}"


class Transition(models.Model):
    """A resident's move from one state to another, with the date and why."""

    registry_id = models.CharField(_("id anagrafe"), max_length=20, db_index=True)
    run = models.ForeignKey(Run, models.PROTECT, related_name="transitions")
    date = models.DateField(_("data"))
    from_state = models.CharField(_("da"), max_length=24, blank=True)
    to_state = models.CharField(_("a"), max_length=24, choices=STATE_CHOICES)
    reason = models.CharField(_("motivo"), max_length=120)
    dates = models.JSONField(_("date"), default=dict)

    class Meta:
        verbose_name = _("cambio di stato")
        verbose_name_plural = _("cambi di stato")
        ordering = ["date", "pk"]
        indexes = [models.Index(fields=["date", "to_state"], name="transition_date_state")]

    def __str__(self) -> str:
        return f"{self.registry_id} {self.from_state or '-'}→{self.to_state} {self.date}"
