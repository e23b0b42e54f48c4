# SPDX-License-Identifier: EUPL-1.2
"""The portal's forms: the second factor, the search with its purpose, the log's filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from interscambio.audit import actions
from interscambio.consultation import purposes


def styled(form: forms.Form) -> None:
    """Bootstrap Italia's class on text and date fields, which then fill their column (its
    select-wrapper styles a select by itself)."""
    for field in form.fields.values():
        if not isinstance(field.widget, forms.Select):
            field.widget.attrs.setdefault("class", "form-control")


class PasswordForm(AuthenticationForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        styled(self)


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=_("Codice di verifica (6 cifre)"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("Il codice è di 6 cifre.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": "8"}
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        styled(self)


class SearchForm(forms.Form):
    finalita = forms.ChoiceField(label=_("Finalità della consultazione"), choices=())
    riferimento_pratica = forms.CharField(label=_("Riferimento pratica"), max_length=100)
    codice_fiscale = forms.CharField(label=_("Codice fiscale"), max_length=20, required=False)
    cognome = forms.CharField(label=_("Cognome"), max_length=100, required=False)
    nome = forms.CharField(label=_("Nome"), max_length=100, required=False)
    data_nascita = forms.DateField(
        label=_("Data di nascita"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["finalita"].choices = [("", "—"), *purposes.choices()]
        styled(self)


class LogFilterForm(forms.Form):
    dal = forms.DateField(
        label=_("Dal"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    al = forms.DateField(
        label=_("Al"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    utente = forms.CharField(label=_("Utente"), max_length=150, required=False)
    ufficio = forms.CharField(label=_("Ufficio"), max_length=100, required=False)
    azione = forms.ChoiceField(label=_("Azione"), required=False, choices=())
    finalita = forms.CharField(label=_("Finalità"), max_length=100, required=False)
    record = forms.CharField(label=_("Id anagrafe"), max_length=40, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = sorted(
            v
            for k, v in vars(actions).items()
            if k.isupper() and isinstance(v, str) and k not in {"PERSON"}
        )
        self.fields["azione"].choices = [("", "—"), *((n, n) for n in names)]
        styled(self)
