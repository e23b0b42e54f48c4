# SPDX-License-Identifier: EUPL-1.2
"""Audited reads: search and person view for a reader acting in a role for an office.

Each read checks the purpose and case reference, finds, filters through the role's field
policy and appends the log entry in one transaction (the caller's, if it has one); only then
does the caller send anything.
The caller has already checked the reader's authorization (the portal's login, the API's
client assertion); this module refuses a role that does not consult the registry at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from django.db import transaction

from interscambio.access import fields, roles
from interscambio.audit import actions, log
from interscambio.consultation import person, purposes
from interscambio.consultation.search import Query, find
from interscambio.registry.models import Resident

CONSULTING: Final = frozenset(
    {roles.REGISTRY_ADMIN, roles.REGISTRY_OPERATOR, roles.QUESTURA_CONSULTANT}
)


class NotAllowed(PermissionError):
    pass


class NotFound(LookupError):
    pass


@dataclass(frozen=True)
class Reader:
    user: str
    office: str
    role: str


@dataclass(frozen=True)
class Found:
    results: list[dict[str, Any]]
    more: bool
    entry: int


def _allowed(reader: Reader) -> None:
    if reader.role not in CONSULTING:
        raise NotAllowed(f"the role {reader.role!r} does not consult the registry")


def _append(
    reader: Reader, action: str, query: dict[str, Any], why: tuple[str, str], ids: list[str]
) -> int:
    entry = log.append(
        action,
        user=reader.user,
        office=reader.office,
        role=reader.role,
        query=query,
        purpose=why[0],
        case_reference=why[1],
        records=[actions.person(i) for i in ids],
    )
    return entry.index


def search(reader: Reader, q: Query, purpose: str, case_reference: str) -> Found:
    _allowed(reader)
    why = purposes.check(purpose, case_reference)
    with transaction.atomic(savepoint=False):
        residents, more = find(q)
        results = [fields.visible(reader.role, person.summary(r)) for r in residents]
        index = _append(reader, actions.SEARCH, q.logged(), why, [r.registry_id for r in residents])
    return Found(results, more, index)


def view(reader: Reader, registry_id: str, purpose: str, case_reference: str) -> dict[str, Any]:
    _allowed(reader)
    why = purposes.check(purpose, case_reference)
    with transaction.atomic(savepoint=False):
        resident = (
            Resident.objects.select_related("street", "family")
            .prefetch_related("citizenships", "events")
            .filter(registry_id=registry_id)
            .first()
        )
        if resident is None:
            raise NotFound(f"no resident with registry id {registry_id!r}")
        shown = fields.visible(reader.role, person.record(resident))
        _append(reader, actions.VIEW, {"id_anagrafe": registry_id}, why, [registry_id])
    return shown
