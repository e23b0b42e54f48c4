# SPDX-License-Identifier: EUPL-1.2
"""The work queue's forms: the list's filters, and one form for every action (each action
reads the fields it needs; reconciliation/queue/steps.py checks them and says what is wrong)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from interscambio.portal.forms import styled
from interscambio.reconciliation import kinds
from interscambio.reconciliation.queue import listing
from interscambio.reconciliation.queue.outcomes import CHECK_RESULTS, outcomes

AGES = [("", "—"), ("7", _("più di 7 giorni")), ("30", _("più di 30 giorni")),
        ("90", _("più di 90 giorni"))]  # fmt: skip


class QueueFilterForm(forms.Form):
    tipo = forms.ChoiceField(label=_("Tipo"), required=False, choices=())
    gravita = forms.ChoiceField(label=_("Gravità"), required=False, choices=())
    stato = forms.ChoiceField(label=_("Stato"), required=False, choices=())
    aperta_da = forms.ChoiceField(label=_("Aperta da"), required=False, choices=AGES)
    circoscrizione = forms.IntegerField(
        label=_("Circoscrizione"), required=False, min_value=1, max_value=99
    )
    assegnate = forms.ChoiceField(
        label=_("Assegnate"),
        required=False,
        choices=[
            ("", _("a chiunque")),
            (listing.MINE, _("a me")),
            (listing.UNASSIGNED, _("a nessuno")),
        ],
    )

    def __init__(self, *args: Any, districts: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tipo"].choices = [
            ("", "—"), *((c, k.label) for c, k in listing.node_kinds().items())
        ]  # fmt: skip
        self.fields["gravita"].choices = [("", "—"), *kinds.SEVERITIES.items()]
        self.fields["stato"].choices = [
            ("", _("Aperte e in esame")), *kinds.STATUSES.items(), (listing.ALL, _("Tutte"))
        ]  # fmt: skip
        if not districts:  # a Questura node holds no gazetteer
            del self.fields["circoscrizione"]
        styled(self)

    def filters(self, me: str) -> listing.Filters:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        age = data.get("aperta_da")
        return listing.Filters(
            kind=data.get("tipo") or "",
            severity=data.get("gravita") or "",
            status=data.get("stato") or listing.CURRENT,
            older_than_days=int(age) if age else None,
            district=data.get("circoscrizione"),
            assigned=data.get("assegnate") or "",
            me=me,
        )


class ActionForm(forms.Form):
    azione = forms.CharField(widget=forms.HiddenInput)
    esito = forms.ChoiceField(label=_("Esito"), required=False, choices=())
    risultato = forms.ChoiceField(
        label=_("Esito della verifica"),
        required=False,
        choices=[("", "—"), *CHECK_RESULTS.items()],
    )
    utente = forms.ChoiceField(label=_("Assegna a"), required=False, choices=())
    entro = forms.DateField(
        label=_("Verifica da concludere entro"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    motivo = forms.CharField(label=_("Motivo"), max_length=500, required=False)
    nota = forms.CharField(
        label=_("Nota"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, people: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["esito"].choices = [("", "—"), *outcomes().items()]
        self.fields["utente"].choices = [("", _("nessuno")), *((p, p) for p in people or [])]
        styled(self)

    def params(self) -> dict[str, Any]:
        """The chosen action's parameters, by the names reconciliation/queue/steps.py uses."""
        data, note = self.cleaned_data, self.cleaned_data.get("nota", "")
        by_action: dict[str, dict[str, Any]] = {
            "prendi": {"note": note},
            "riapri": {"note": note},
            "risolvi": {"outcome": data.get("esito", ""), "note": note},
            "archivia": {"reason": data.get("motivo", "")},
            "commenta": {"text": note},
            "assegna": {"username": data.get("utente", "")},
            "verifica_domicilio": {"due": data.get("entro"), "note": note},
            "esito_verifica": {"result": data.get("risultato", ""), "note": note},
            "conferma_collegamento": {"note": note},
            "respingi_collegamento": {"note": data.get("motivo", "")},
            "registra_rinnovo": {},
        }
        return by_action.get(data["azione"], {})
