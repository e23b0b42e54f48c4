# SPDX-License-Identifier: EUPL-1.2
"""The audited export of a pre-filled application, for the portal and the command alike.

As consultation/reads.py does for a view: role, purpose and case reference are checked, then
the person is read, checked, written in the chosen format and the export appended to the
access log, all in one transaction; only then does the caller hand the file over. A refusal or
a failure to write leaves no entry, since no data left.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from django.db import transaction
from django.utils import timezone

from interscambio.access import fields
from interscambio.audit import actions, log
from interscambio.consultation import purposes
from interscambio.consultation.reads import NotAllowed, Reader
from interscambio.prefill import writers
from interscambio.prefill.application import (
    AMBIGUOUS,
    CURRENT,
    NOT_FOUND,
    Refused,
    application,
    check,
    household,
)
from interscambio.registry.models import Resident

# The fields the application carries: a role exports only if its field policy shows them all,
# so the Questura's consultant, who sees family members' ids but not their data, does not.
NEEDS: Final = fields.IDENTITY | fields.ADDRESS | fields.FAMILY_FULL | fields.PERMIT
EXPORTING: Final = frozenset(role for role, shown in fields.POLICY.items() if shown >= NEEDS)


@dataclass(frozen=True)
class Format:
    extension: str
    content_type: str
    write: Callable[[dict[str, Any], str], bytes]


def _to_pdf(data: dict[str, Any], reference: str) -> bytes:
    # fpdf2 takes half a second to import: only the PDF pays for it, not every command.
    from interscambio.prefill import pdf

    return pdf.to_pdf(data, reference)


FORMATS: Final = {
    "json": Format("json", "application/json", lambda data, _: writers.to_json(data)),
    "csv": Format("csv", "text/csv; charset=utf-8", lambda data, _: writers.to_csv(data)),
    "pdf": Format("pdf", "application/pdf", _to_pdf),
}


@dataclass(frozen=True)
class Exported:
    filename: str
    content_type: str
    content: bytes
    records: list[str]
    entry: int


def _find(registry_id: str | None, codice_fiscale: str | None) -> Resident:
    found = Resident.objects.select_related("street", "family").prefetch_related("citizenships")
    if registry_id is not None:
        resident = found.filter(registry_id=registry_id).first()
        if resident is None:
            raise Refused(NOT_FOUND, f"no resident with registry id {registry_id!r}")
        return resident
    code = (codice_fiscale or "").strip().upper()
    people = list(found.filter(codice_fiscale=code).order_by("registry_id"))
    if not people:
        raise Refused(NOT_FOUND, f"codice fiscale {code!r}: no one in the registry")
    current = [p for p in people if p.status == CURRENT]
    if len(current) > 1:
        ids = ", ".join(p.registry_id for p in current)
        raise Refused(
            AMBIGUOUS,
            f"codice fiscale {code!r}: {len(current)} current residents ({ids}); "
            "export from the person page, which names one",
        )
    return current[0] if current else people[0]


def export(
    reader: Reader,
    kind: str,
    purpose: str,
    case_reference: str,
    *,
    registry_id: str | None = None,
    codice_fiscale: str | None = None,
    on: date | None = None,
) -> Exported:
    """One person's application as `kind` (json, csv, pdf), by registry id or codice fiscale.

    NotAllowed for a role that may not export, PurposeError for a bad purpose or case,
    Refused for a person with no application, ValueError for an unknown format."""
    if reader.role not in EXPORTING:
        raise NotAllowed(f"the role {reader.role!r} does not export pre-filled applications")
    chosen = FORMATS.get(kind)
    if chosen is None:
        raise ValueError(f"format {kind!r}: choose one of {', '.join(FORMATS)}")
    why = purposes.check(purpose, case_reference)
    on = on or timezone.localdate()
    # A savepoint, not the bare caller's transaction: a refusal inside must leave the caller's
    # transaction usable (the portal still renders a page after it).
    with transaction.atomic():
        resident = _find(registry_id, codice_fiscale)
        check(resident)
        members = household(resident)
        content = chosen.write(application(resident, on, members), why[1])
        records = [actions.person(p.registry_id) for p in (resident, *members)]
        asked = {"id_anagrafe": registry_id} if registry_id is not None else {}
        asked = asked or {"codice_fiscale": resident.codice_fiscale}
        entry = log.append(
            actions.EXPORT,
            user=reader.user,
            office=reader.office,
            role=reader.role,
            query={**asked, "precompilazione": kind},
            purpose=why[0],
            case_reference=why[1],
            records=records,
        )
    filename = f"precompilazione-{resident.registry_id}-{on:%Y%m%d}.{chosen.extension}"
    return Exported(filename, chosen.content_type, content, records, entry.index)
