# SPDX-License-Identifier: EUPL-1.2
"""Loading the registry system's extracts: the street gazetteer, residents and their events."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from interscambio.core.extracts import EVENTS, RESIDENTS, STREETS
from interscambio.core.extracts.schemas import Record
from interscambio.node.loading import (
    LoadError,
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
from interscambio.registry.models import Citizenship, Family, RegistryEvent, Resident, Street


def load_streets(
    path: Path, *, skip_invalid: bool = False, progress: Progress = no_progress
) -> LoadReport:
    check = check_file(path, STREETS, progress=progress)
    refuse_unless_skipping([check], skip_invalid)
    report = LoadReport([check])
    with transaction.atomic():
        existing = count_existing(Street, "code", check.keys)
        for batch in batched(valid_records(check, progress)):
            upsert(Street, [_street(r) for r in batch], "code")
        refresh_statistics(Street)
    report.created["streets"] = len(check.keys) - existing
    report.updated["streets"] = existing
    return report


def _street(r: Record) -> Street:
    return Street(
        code=r["codice_via"],
        dug=r["dug"],
        name=r["denominazione"],
        civic_min=r["civico_min"],
        civic_max=r["civico_max"],
        district=r["circoscrizione"],
        postal_code=blank_if_none(r["cap"]),
    )


def load_registry(
    path: Path,
    events_path: Path | None = None,
    *,
    skip_invalid: bool = False,
    progress: Progress = no_progress,
) -> LoadReport:
    """Load residents (and their events) all or nothing; re-loading the same ids updates them."""
    streets = {
        code: (pk, low, high)
        for pk, code, low, high in Street.objects.values_list(
            "pk", "code", "civic_min", "civic_max"
        )
    }
    if not streets:
        raise LoadError(
            "the street gazetteer is empty: load it first with `interscambio streets load`"
        )

    def against_gazetteer(r: Record) -> list[tuple[str, str]]:
        street = streets.get(r["codice_via"])
        if street is None:
            return [
                ("codice_via", f"unknown street code {r['codice_via']!r}: not in the gazetteer")
            ]
        _, low, high = street
        if not low <= r["civico"] <= high:
            return [("civico", f"civic number {r['civico']} is outside the street's {low}-{high}")]
        return []

    residents_check = check_file(path, RESIDENTS, against_gazetteer, progress)
    checks = [residents_check]
    events_check = None
    if events_path is not None:
        known = residents_check.keys
        in_database: set[str] | None = None

        def person_known(r: Record) -> list[tuple[str, str]]:
            nonlocal in_database
            person = r["id_anagrafe"]
            if person in known:
                return []
            if in_database is None:
                in_database = set(Resident.objects.values_list("registry_id", flat=True).iterator())
            if person in in_database:
                return []
            return [
                ("id_anagrafe", f"no valid person {person!r} in the residents file or the registry")
            ]

        events_check = check_file(events_path, EVENTS, person_known, progress)
        checks.append(events_check)
    refuse_unless_skipping(checks, skip_invalid)

    report = LoadReport(checks)
    with transaction.atomic():
        existing = count_existing(Resident, "registry_id", residents_check.keys)
        for batch in batched(valid_records(residents_check, progress)):
            _write_residents(batch, streets)
        report.created["residents"] = len(residents_check.keys) - existing
        report.updated["residents"] = existing
        if events_check is not None:
            existing = count_existing(RegistryEvent, "event_id", events_check.keys)
            for batch in batched(valid_records(events_check, progress)):
                _write_events(batch)
            report.created["events"] = len(events_check.keys) - existing
            report.updated["events"] = existing
        refresh_statistics(Family, Resident, Citizenship, RegistryEvent)
    return report


def _write_residents(batch: list[Record], streets: dict[str, tuple[int, int, int]]) -> None:
    family_codes = {r["id_famiglia"] for r in batch}
    Family.objects.bulk_create([Family(code=c) for c in family_codes], ignore_conflicts=True)
    families = dict(Family.objects.filter(code__in=family_codes).values_list("code", "pk"))
    upsert(Resident, [_resident(r, families, streets) for r in batch], "registry_id")
    ids = dict(
        Resident.objects.filter(registry_id__in=[r["id_anagrafe"] for r in batch]).values_list(
            "registry_id", "pk"
        )
    )
    Citizenship.objects.filter(resident_id__in=ids.values()).delete()
    Citizenship.objects.bulk_create(
        Citizenship(resident_id=ids[r["id_anagrafe"]], country=country, rank=rank)
        for r in batch
        for rank, country in enumerate(r["cittadinanze"])
    )


def _resident(
    r: Record, families: dict[str, int], streets: dict[str, tuple[int, int, int]]
) -> Resident:
    return Resident(
        registry_id=r["id_anagrafe"],
        codice_fiscale=r["codice_fiscale"],
        surname=r["cognome"],
        given_names=r["nome"],
        sex=r["sesso"],
        birth_date=r["data_nascita"],
        birth_place=r["luogo_nascita"],
        birth_place_code=r["codice_luogo_nascita"],
        status=r["stato"],
        registration_date=r["data_iscrizione"],
        cancellation_date=r["data_cancellazione"],
        cancellation_reason=blank_if_none(r["motivo_cancellazione"]),
        family_id=families[r["id_famiglia"]],
        family_relation=r["relazione_parentela"],
        street_id=streets[r["codice_via"]][0],
        civic_number=r["civico"],
        civic_suffix=blank_if_none(r["esponente"]),
        staircase=blank_if_none(r["scala"]),
        floor=blank_if_none(r["piano"]),
        flat=blank_if_none(r["interno"]),
        title_kind=blank_if_none(r["titolo_tipo"]),
        title_number=blank_if_none(r["titolo_numero"]),
        title_questura_code=blank_if_none(r["titolo_questura_codice"]),
        title_questura_name=blank_if_none(r["titolo_questura_nome"]),
        title_issue_date=r["titolo_data_rilascio"],
        title_expiry_date=r["titolo_data_scadenza"],
        title_renewal_date=r["titolo_data_rinnovo"],
        title_renewal_requested_date=r["titolo_data_richiesta_rinnovo"],
        dwelling_declaration_date=r["data_dichiarazione_dimora"],
    )


def _write_events(batch: list[Record]) -> None:
    people = dict(
        Resident.objects.filter(registry_id__in={r["id_anagrafe"] for r in batch}).values_list(
            "registry_id", "pk"
        )
    )
    upsert(
        RegistryEvent,
        [
            RegistryEvent(
                event_id=r["id_evento"],
                resident_id=people[r["id_anagrafe"]],
                kind=r["tipo"],
                reason_code=r["codice_motivo"],
                date=r["data_evento"],
                changes=r["dettagli"] or {},
            )
            for r in batch
        ],
        "event_id",
    )
