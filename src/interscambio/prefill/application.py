# SPDX-License-Identifier: EUPL-1.2
"""The data a permit application (the kit's modulo 1 and modulo 209) asks for, and no more.

Identity, address of residence, the current permit as the registry knows it, and the family
members who live with the applicant: the current residents of the same registry family. Keys
are stable and Italian (docs/prefill.md); dates are ISO here, the writers format them.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Final

from django.conf import settings
from django.utils import timezone

from interscambio.core import codes
from interscambio.registry.models import Resident

FORMAT: Final = "interscambio-precompilazione/1"
CURRENT: Final = "residente"


class Refused(ValueError):
    """No application for this person: `reason` is one of REASONS."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


NOT_FOUND, NOT_RESIDENT, EU_CITIZEN, AMBIGUOUS = "non_trovato", "non_residente", "ue", "ambiguo"
REASONS: Final = (NOT_FOUND, NOT_RESIDENT, EU_CITIZEN, AMBIGUOUS)


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def _countries(resident: Resident) -> list[str]:
    return [c.country for c in resident.citizenships.all()]


def refusal(status: str, citizenships: list[str]) -> str:
    """Why a person with this registry status and these citizenships gets no application
    (one of REASONS), or "" when they get one."""
    if status != CURRENT:
        return NOT_RESIDENT
    if any(c in codes.EU_MEMBER_STATES for c in citizenships):
        return EU_CITIZEN
    return ""


def check(resident: Resident) -> None:
    """Refused unless the person is a current resident who needs a permit."""
    countries = _countries(resident)
    reason = refusal(resident.status, countries)
    if reason == NOT_RESIDENT:
        raise Refused(
            reason,
            f"resident {resident.registry_id} is not a current resident "
            f"(stato {resident.status!r}): no application from the registry",
        )
    if reason == EU_CITIZEN:
        eu = ", ".join(c for c in countries if c in codes.EU_MEMBER_STATES)
        raise Refused(
            reason,
            f"resident {resident.registry_id} is an EU citizen ({eu}) "
            "and needs no residence permit",
        )


def household(resident: Resident) -> list[Resident]:
    """The family members living with the person: current residents of the same family."""
    members = (
        resident.family.members.filter(status=CURRENT)
        .exclude(pk=resident.pk)
        .prefetch_related("citizenships")
        .order_by("family_relation", "birth_date", "registry_id")
    )
    return list(members)


def _member(member: Resident) -> dict[str, Any]:
    return {
        "relazione": codes.FAMILY_RELATIONS.get(member.family_relation, member.family_relation),
        "cognome": member.surname,
        "nome": member.given_names,
        "data_nascita": _day(member.birth_date),
        "cittadinanze": _countries(member),
        "codice_fiscale": member.codice_fiscale,
    }


def application(
    resident: Resident, on: date | None = None, members: list[Resident] | None = None
) -> dict[str, Any]:
    """The application's data for `resident` (already `check`ed), extracted `on` that day
    (today by default); `members` is their `household`, when the caller already has it."""
    on = on or timezone.localdate()
    members = household(resident) if members is None else members
    civic = str(resident.civic_number)
    if resident.civic_suffix:
        civic += f"/{resident.civic_suffix}"
    return {
        "formato": FORMAT,
        "data_estrazione": on.isoformat(),
        "richiedente": {
            "cognome": resident.surname,
            "nome": resident.given_names,
            "sesso": resident.sex,
            "data_nascita": _day(resident.birth_date),
            "luogo_nascita": resident.birth_place,
            "cittadinanze": _countries(resident),
            "codice_fiscale": resident.codice_fiscale,
        },
        "residenza": {
            "indirizzo": resident.address,
            "via": resident.street.official_name,
            "civico": civic,
            "scala": resident.staircase,
            "piano": resident.floor,
            "interno": resident.flat,
            "cap": resident.street.postal_code,
            "comune": settings.NODE_NAME,
            "provincia": settings.PREFILL_PROVINCE,
        },
        "permesso": {
            "tipo": codes.STAY_TITLE_KINDS.get(resident.title_kind, resident.title_kind),
            "numero": resident.title_number,
            "questura": resident.title_questura_name,
            "data_rilascio": _day(resident.title_issue_date),
            "data_scadenza": _day(resident.title_expiry_date),
        },
        "familiari": [_member(m) for m in members],
    }
