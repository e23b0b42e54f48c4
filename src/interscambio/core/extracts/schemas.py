# SPDX-License-Identifier: EUPL-1.2
"""The columns of each extract. docs/extracts.md describes the same for people."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from interscambio.core import codes
from interscambio.core.extracts import fields as f

Record = dict[str, Any]
# A cross-field check returns (column, message) for each problem it finds.
Check = Callable[[Record], list[tuple[str, str]]]


@dataclass(frozen=True)
class Column:
    name: str
    parse: f.Parser
    required: bool
    description: str


@dataclass(frozen=True)
class ExtractSchema:
    """One CSV extract: UTF-8, comma-separated, a header row naming exactly these columns."""

    name: str
    file_name: str
    key: str
    columns: tuple[Column, ...]
    checks: tuple[Check, ...] = field(default=())

    @property
    def header(self) -> list[str]:
        return [c.name for c in self.columns]


def req(name: str, parse: f.Parser, description: str) -> Column:
    return Column(name, parse, True, description)


def opt(name: str, parse: f.Parser, description: str) -> Column:
    return Column(name, parse, False, description)


def not_before(later: str, earlier: str) -> Check:
    def check(record: Record) -> list[tuple[str, str]]:
        a, b = record.get(later), record.get(earlier)
        if a is not None and b is not None and a < b:
            return [(later, f"{later} {a.isoformat()} is before {earlier} {b.isoformat()}")]
        return []

    return check


def _civic_range(record: Record) -> list[tuple[str, str]]:
    if record["civico_min"] > record["civico_max"]:
        return [("civico_max", "civico_max is smaller than civico_min")]
    return []


def _cancellation_complete(record: Record) -> list[tuple[str, str]]:
    problems = []
    cancelled = record["stato"] == "cancellato"
    for column in ("data_cancellazione", "motivo_cancellazione"):
        if cancelled and record.get(column) is None:
            problems.append((column, "required when stato is 'cancellato'"))
        if not cancelled and record.get(column) is not None:
            problems.append((column, "must be empty unless stato is 'cancellato'"))
    return problems


def _reason_matches_kind(record: Record) -> list[tuple[str, str]]:
    table = codes.EVENT_KINDS[record["tipo"]]
    if record["codice_motivo"] not in table:
        allowed = ", ".join(table)
        return [
            (
                "codice_motivo",
                f"unknown reason {record['codice_motivo']!r} for a {record['tipo']} "
                f"(allowed: {allowed})",
            )
        ]
    return []


def _application_number(value: str) -> str:
    if len(value) != 10 or not value.isalnum():
        raise f.FieldError(
            f"the postal kit's application number has 10 letters or digits: {value!r}"
        )
    return value.upper()


def _registered_post_number(value: str) -> str:
    if len(value) != 12 or not value.isdigit():
        raise f.FieldError(f"the registered-post number has 12 digits: {value!r}")
    return value


STREETS = ExtractSchema(
    name="stradario",
    file_name="stradario.csv",
    key="codice_via",
    columns=(
        req("codice_via", f.text(10), "Street code in the Comune's gazetteer"),
        req("dug", f.text(30), "Generic urban name: VIA, CORSO, PIAZZA, LARGO, VIALE..."),
        req("denominazione", f.text(120), "Official name without the DUG, e.g. GIULIO CESARE"),
        req("civico_min", f.integer(1, 9999), "Lowest civic number on the street"),
        req("civico_max", f.integer(1, 9999), "Highest civic number on the street"),
        opt("circoscrizione", f.integer(1, 99), "District (circoscrizione) number"),
        opt("cap", f.text(5), "Postal code"),
    ),
    checks=(_civic_range,),
)

RESIDENTS = ExtractSchema(
    name="anagrafe",
    file_name="anagrafe.csv",
    key="id_anagrafe",
    columns=(
        req("id_anagrafe", f.text(20), "Person's id in the registry system"),
        req("codice_fiscale", f.codice_fiscale, "16 characters, or 11-digit provisional"),
        req("cognome", f.text(100), "Surname(s) as registered"),
        req("nome", f.text(100), "Given name(s) as registered"),
        req("sesso", f.choice(codes.SEXES), "M or F"),
        req("data_nascita", f.iso_date, "Birth date, YYYY-MM-DD"),
        req("luogo_nascita", f.text(100), "Birth place: country for the foreign-born, else comune"),
        req("codice_luogo_nascita", f.place_code, "Belfiore code of the birth place (Z330...)"),
        req("cittadinanze", f.countries, "ISO 3166-1 alpha-3 codes separated by ';', main first"),
        req("stato", f.choice(codes.REGISTRY_STATUSES), "residente or cancellato"),
        req("data_iscrizione", f.iso_date, "Date of the current registration"),
        opt("data_cancellazione", f.iso_date, "Date of cancellation (cancellato only)"),
        opt("motivo_cancellazione", f.choice(codes.CANCELLATION_REASONS), "ANPR table 15"),
        req("id_famiglia", f.text(20), "Family (famiglia anagrafica) id"),
        req("relazione_parentela", f.choice(codes.FAMILY_RELATIONS), "ANPR table 5"),
        req("codice_via", f.text(10), "Street code, as in the gazetteer"),
        req("civico", f.integer(1, 9999), "Civic number"),
        opt("esponente", f.text(5), "Civic suffix: A, B, BIS..."),
        opt("scala", f.text(5), "Staircase"),
        opt("piano", f.text(5), "Floor"),
        opt("interno", f.text(5), "Flat number"),
        opt("titolo_tipo", f.choice(codes.STAY_TITLE_KINDS), "Kind of stay title, ANPR table 8"),
        opt("titolo_numero", f.text(30), "Number of the permit or title"),
        opt("titolo_questura_codice", f.text(5), "Issuing Questura's province code"),
        opt("titolo_questura_nome", f.text(60), "Issuing Questura's name"),
        opt("titolo_data_rilascio", f.iso_date, "Issue date of the title"),
        opt("titolo_data_scadenza", f.iso_date, "Expiry date of the title"),
        opt("titolo_data_rinnovo", f.iso_date, "Date the registry recorded its renewal"),
        opt("titolo_data_richiesta_rinnovo", f.iso_date, "Date a renewal was applied for"),
        opt("data_dichiarazione_dimora", f.iso_date, "Last habitual-dwelling declaration"),
    ),
    checks=(
        _cancellation_complete,
        not_before("data_iscrizione", "data_nascita"),
        not_before("data_cancellazione", "data_iscrizione"),
        not_before("titolo_data_scadenza", "titolo_data_rilascio"),
    ),
)

EVENTS = ExtractSchema(
    name="eventi",
    file_name="eventi.csv",
    key="id_evento",
    columns=(
        req("id_evento", f.text(30), "Event id in the registry system"),
        req("id_anagrafe", f.text(20), "The person, as in anagrafe.csv"),
        req(
            "tipo",
            f.choice({kind: kind for kind in codes.EVENT_KINDS}),
            "iscrizione, variazione or cancellazione",
        ),
        req("codice_motivo", f.text(20), "ANPR table 7 / our change codes / ANPR table 15"),
        req("data_evento", f.iso_date, "Date the event took effect"),
        opt("dettagli", f.json_object, 'What changed, JSON: {"field": [before, after]}'),
    ),
    checks=(_reason_matches_kind,),
)

PERMITS = ExtractSchema(
    name="permessi",
    file_name="permessi.csv",
    key="numero_permesso",
    columns=(
        req("numero_permesso", f.text(30), "Permit card number (format not fixed)"),
        req("tipo", f.choice(codes.PERMIT_KINDS), "PS, UELP or CS"),
        req("motivo", f.choice(codes.PERMIT_REASONS), "Reason of stay"),
        req("canale", f.choice(codes.PERMIT_CHANNELS), "kit_postale, prenotafacile, sportello"),
        opt("numero_domanda", _application_number, "Postal kit application number (10)"),
        opt("numero_raccomandata", _registered_post_number, "Registered-post number (12 digits)"),
        req("data_domanda", f.iso_date, "Application date"),
        opt("data_rilascio", f.iso_date, "Issue date"),
        opt("data_consegna", f.iso_date, "Delivery date"),
        opt("data_scadenza", f.iso_date, "Expiry date"),
        req("stato", f.choice(codes.PERMIT_STATUSES), "richiesto, rilasciato, consegnato..."),
        opt("numero_permesso_precedente", f.text(30), "The permit this one renews"),
        req("cui", f.text(20), "The holder's id at the Questura (CUI)"),
        opt("codice_fiscale", f.codice_fiscale, "As the Questura recorded it, may be provisional"),
        req("cognome", f.text(100), "Surname as the Questura recorded it"),
        req("nome", f.text(100), "Given names as the Questura recorded them"),
        req("sesso", f.choice(codes.SEXES), "M or F"),
        req("data_nascita", f.iso_date, "Birth date, YYYY-MM-DD"),
        opt("luogo_nascita", f.text(100), "Birth place as recorded"),
        req("cittadinanza", f.country, "ISO 3166-1 alpha-3"),
        opt("domicilio_indirizzo", f.text(200), "Declared domicile, free text"),
        opt("domicilio_comune", f.text(100), "Comune of the declared domicile"),
        opt("domicilio_codice_comune", f.istat_code, "ISTAT code of that comune"),
    ),
    checks=(
        not_before("data_rilascio", "data_domanda"),
        not_before("data_consegna", "data_rilascio"),
        not_before("data_scadenza", "data_rilascio"),
    ),
)

SCHEMAS = {schema.name: schema for schema in (STREETS, RESIDENTS, EVENTS, PERMITS)}
