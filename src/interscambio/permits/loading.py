# SPDX-License-Identifier: EUPL-1.2
"""Loading the Questura's permit extract."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction
from django.db.models import OuterRef, Subquery

from interscambio.core.extracts import PERMITS
from interscambio.core.extracts.schemas import Record
from interscambio.node.loading import (
    LoadReport,
    Progress,
    batched,
    blank_if_none,
    check_file,
    count_existing,
    no_progress,
    refresh_statistics,
    refuse_unless_skipping,
    upsert,
    valid_records,
)
from interscambio.permits.models import Permit


def load_permits(
    path: Path, *, skip_invalid: bool = False, progress: Progress = no_progress
) -> LoadReport:
    """Load permits all or nothing, then link each renewal to the permit it renews."""
    check = check_file(path, PERMITS, progress=progress)
    refuse_unless_skipping([check], skip_invalid)
    report = LoadReport([check])
    with transaction.atomic():
        existing = count_existing(Permit, "number", check.keys)
        for batch in batched(valid_records(check, progress)):
            upsert(Permit, [_permit(r) for r in batch], "number")
        # A renewal may arrive before or after the permit it renews: resolve the chain last.
        Permit.objects.exclude(previous_number="").update(
            previous=Subquery(
                Permit.objects.filter(number=OuterRef("previous_number")).values("pk")[:1]
            )
        )
        refresh_statistics(Permit)
    report.created["permits"] = len(check.keys) - existing
    report.updated["permits"] = existing
    return report


def _permit(r: Record) -> Permit:
    return Permit(
        number=r["numero_permesso"],
        kind=r["tipo"],
        reason=r["motivo"],
        channel=r["canale"],
        application_number=blank_if_none(r["numero_domanda"]),
        registered_post_number=blank_if_none(r["numero_raccomandata"]),
        application_date=r["data_domanda"],
        issue_date=r["data_rilascio"],
        delivery_date=r["data_consegna"],
        expiry_date=r["data_scadenza"],
        status=r["stato"],
        previous_number=blank_if_none(r["numero_permesso_precedente"]),
        holder_cui=r["cui"],
        codice_fiscale=blank_if_none(r["codice_fiscale"]),
        surname=r["cognome"],
        given_names=r["nome"],
        sex=r["sesso"],
        birth_date=r["data_nascita"],
        birth_place=blank_if_none(r["luogo_nascita"]),
        citizenship=r["cittadinanza"],
        domicile_address=blank_if_none(r["domicilio_indirizzo"]),
        domicile_comune=blank_if_none(r["domicilio_comune"]),
        domicile_comune_code=blank_if_none(r["domicilio_codice_comune"]),
    )
