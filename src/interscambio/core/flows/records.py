# SPDX-License-Identifier: EUPL-1.2
"""Flow records as typed structs, decoded straight from a line's bytes at C speed.

The JSON Schemas in `schemas/` stay the contract; these structs implement it for the fast path:
the same fields in the same order (the order of keys when encoding), the same required fields,
lengths, patterns, enums and minimums, dates checked as real dates. tests/test_flow_records.py
proves that they accept exactly what the schemas accept. The reader falls back to the schemas
only to explain a record these structs refuse.
"""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from typing import Annotated, Any, Literal, TypeAlias

import msgspec
from msgspec import Meta

# --- the constraints of the schemas -----------------------------------------------------------

CODICE_FISCALE_PATTERN = (
    "^([A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]"
    "|[0-9]{11})$"
)

CodiceFiscale = Annotated[str, Meta(pattern=CODICE_FISCALE_PATTERN)]
Country = Annotated[str, Meta(pattern="^[A-Z]{3}$")]
RecordId = Annotated[str, Meta(min_length=1, max_length=40)]
Code20 = Annotated[str, Meta(min_length=1, max_length=20)]
Name = Annotated[str, Meta(min_length=1, max_length=100)]
PermitNumber = Annotated[str, Meta(min_length=1, max_length=30)]
Short = Annotated[str, Meta(max_length=5)]  # esponente, scala, piano, interno, questura
Sex = Literal["M", "F"]


# Every struct below is immutable, refuses unknown keys, maps `snake_case` to `camelCase` on the
# wire, and is keyword-only: the schemas mix required and optional fields in their order
# (`titolare` comes after `dataScadenza`), and the order of the fields is the order of the keys.

# --- the registry flow (anagrafe) -------------------------------------------------------------


class Indirizzo(
    msgspec.Struct, frozen=True, forbid_unknown_fields=True, rename="camel", kw_only=True
):
    codice_via: Annotated[str, Meta(min_length=1, max_length=10)]
    denominazione_via: Annotated[str, Meta(min_length=1, max_length=150)]
    civico: Annotated[int, Meta(ge=1)]
    esponente: Short | None = None
    scala: Short | None = None
    piano: Short | None = None
    interno: Short | None = None


class TitoloSoggiorno(
    msgspec.Struct, frozen=True, forbid_unknown_fields=True, rename="camel", kw_only=True
):
    tipo: Annotated[str, Meta(min_length=1, max_length=2)]
    numero: Annotated[str, Meta(max_length=30)] | None = None
    questura: Short | None = None
    data_rilascio: date | None = None
    data_scadenza: date | None = None
    data_rinnovo: date | None = None


class Persona(
    msgspec.Struct, frozen=True, forbid_unknown_fields=True, rename="camel", kw_only=True
):
    id_anagrafe: Code20
    codice_fiscale: CodiceFiscale
    cognome: Name
    nome: Name
    sesso: Sex
    data_nascita: date
    luogo_nascita: Name
    codice_luogo_nascita: Annotated[str, Meta(pattern="^[A-Z][0-9]{3}$")]
    cittadinanze: Annotated[list[Country], Meta(min_length=1)]


class RegistryRecord(
    msgspec.Struct, frozen=True, forbid_unknown_fields=True, rename="camel", kw_only=True
):
    """One line of a registry flow: anagrafe-record.v1.schema.json."""

    id_record: RecordId
    tipo_evento: Literal["iscrizione", "variazione", "cancellazione"]
    codice_motivo: Code20
    data_evento: date
    persona: Persona
    indirizzo: Indirizzo
    indirizzo_precedente: Indirizzo | None = None
    titolo_soggiorno: TitoloSoggiorno | None = None
    variazioni: dict[str, Any] | None = None


# --- the permit flow (permessi) ---------------------------------------------------------------


class Titolare(
    msgspec.Struct, frozen=True, forbid_unknown_fields=True, rename="camel", kw_only=True
):
    cui: Code20
    codice_fiscale: CodiceFiscale | None = None
    cognome: Name
    nome: Name
    sesso: Sex
    data_nascita: date
    luogo_nascita: Annotated[str, Meta(max_length=100)] | None = None
    cittadinanza: Country


class Domicilio(
    msgspec.Struct, frozen=True, forbid_unknown_fields=True, rename="camel", kw_only=True
):
    indirizzo: Annotated[str, Meta(min_length=1, max_length=200)]
    comune: Name
    codice_comune: Annotated[str, Meta(pattern="^[0-9]{6}$")]


class PermitRecord(
    msgspec.Struct, frozen=True, forbid_unknown_fields=True, rename="camel", kw_only=True
):
    """One line of a permit flow: permessi-record.v1.schema.json."""

    id_record: RecordId
    evento: Literal["rilascio", "consegna"]
    numero_permesso: PermitNumber
    tipo: Literal["PS", "UELP", "CS"]
    motivo: Annotated[str, Meta(min_length=1, max_length=40)]
    canale: Literal["kit_postale", "prenotafacile", "sportello"]
    data_domanda: date
    data_rilascio: date
    data_consegna: date | None = None
    data_scadenza: date | None = None
    numero_permesso_precedente: Annotated[str, Meta(max_length=30)] | None = None
    titolare: Titolare
    domicilio: Domicilio


Record: TypeAlias = RegistryRecord | PermitRecord


@cache
def decoder(
    flow_type: str,
) -> msgspec.json.Decoder[RegistryRecord] | msgspec.json.Decoder[PermitRecord]:
    """The decoder of one flow type's records, from a line's bytes (the `\\n` may stay).

    `decode` raises msgspec.ValidationError (the first problem, with its `$.path`),
    msgspec.DecodeError (not JSON) or UnicodeDecodeError (not UTF-8)."""
    if flow_type == "anagrafe":
        return msgspec.json.Decoder(RegistryRecord)
    if flow_type == "permessi":
        return msgspec.json.Decoder(PermitRecord)
    raise ValueError(f"unknown flow type {flow_type!r}")


_encoder = msgspec.json.Encoder()


def _holds_float(value: Any) -> bool:
    if isinstance(value, float):
        return True
    if isinstance(value, dict):
        return any(_holds_float(v) for v in value.values())
    if isinstance(value, list):
        return any(_holds_float(v) for v in value)
    return False


def encode_line(record: Record) -> bytes:
    """One flow line: compact JSON and `\\n`, the same bytes as the writer gives the same data
    as a dict. Optional fields left at None are written as `null`."""
    if isinstance(record, RegistryRecord) and _holds_float(record.variazioni):
        # msgspec writes 1e16 where json.dumps writes 1e+16; only free-form `variazioni` can
        # hold a float, so the rare record that does goes through json.dumps.
        text = json.dumps(to_dict(record), ensure_ascii=False, separators=(",", ":"))
        return (text + "\n").encode("utf-8")
    return _encoder.encode(record) + b"\n"


def to_dict(record: Record) -> dict[str, Any]:
    """The record as the JSON object of its line: wire names, dates as `YYYY-MM-DD`."""
    data: dict[str, Any] = msgspec.to_builtins(record)
    return data
