# SPDX-License-Identifier: EUPL-1.2
"""Valid rows of each extract for synthetic people, to be spoiled one field at a time by tests."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from interscambio.core.extracts import ExtractSchema
from interscambio.core.identity.codice_fiscale import encode


def street(**changes: object) -> dict[str, object]:
    row: dict[str, object] = {
        "codice_via": "00101",
        "dug": "CORSO",
        "denominazione": "GIULIO CESARE",
        "civico_min": 1,
        "civico_max": 300,
        "circoscrizione": 6,
        "cap": "10152",
    }
    return {**row, **changes}


def resident(n: int = 1, **changes: object) -> dict[str, object]:
    surname, name, born = f"ZAHRANI{'ABCDEFGHIJ'[n % 10]}", "AMINA", date(1980 + n % 20, 5, 17)
    row: dict[str, object] = {
        "id_anagrafe": f"P{n:06d}",
        "codice_fiscale": encode(surname, name, "F", born, "Z330"),
        "cognome": surname,
        "nome": name,
        "sesso": "F",
        "data_nascita": born.isoformat(),
        "luogo_nascita": "MAROCCO",
        "codice_luogo_nascita": "Z330",
        "cittadinanze": "MAR",
        "stato": "residente",
        "data_iscrizione": "2018-02-01",
        "data_cancellazione": "",
        "motivo_cancellazione": "",
        "id_famiglia": f"F{n:06d}",
        "relazione_parentela": "1",
        "codice_via": "00101",
        "civico": 12,
        "esponente": "B",
        "scala": "",
        "piano": "2",
        "interno": "5",
        "titolo_tipo": "1",
        "titolo_numero": f"TO{n:07d}",
        "titolo_questura_codice": "TO",
        "titolo_questura_nome": "Questura di Torino",
        "titolo_data_rilascio": "2024-03-01",
        "titolo_data_scadenza": "2026-02-28",
        "titolo_data_rinnovo": "",
        "titolo_data_richiesta_rinnovo": "",
        "data_dichiarazione_dimora": "2024-04-10",
    }
    return {**row, **changes}


def event(n: int = 1, person: int = 1, **changes: object) -> dict[str, object]:
    row: dict[str, object] = {
        "id_evento": f"E{n:07d}",
        "id_anagrafe": f"P{person:06d}",
        "tipo": "iscrizione",
        "codice_motivo": "4",
        "data_evento": "2018-02-01",
        "dettagli": "",
    }
    return {**row, **changes}


def permit(n: int = 1, **changes: object) -> dict[str, object]:
    surname, name, born = "OKAFOR", "CHINEDU", date(1988, 11, 3)
    row: dict[str, object] = {
        "numero_permesso": f"TO{n:07d}",
        "tipo": "PS",
        "motivo": "lavoro_subordinato",
        "canale": "kit_postale",
        "numero_domanda": f"{n:010d}",
        "numero_raccomandata": f"{n:012d}",
        "data_domanda": "2024-01-15",
        "data_rilascio": "2024-03-01",
        "data_consegna": "2024-03-20",
        "data_scadenza": "2026-02-28",
        "stato": "consegnato",
        "numero_permesso_precedente": "",
        "cui": f"C{n:08d}",
        "codice_fiscale": encode(surname, name, "M", born, "Z335"),
        "cognome": surname,
        "nome": name,
        "sesso": "M",
        "data_nascita": born.isoformat(),
        "luogo_nascita": "NIGERIA",
        "cittadinanza": "NGA",
        "domicilio_indirizzo": "C.so Giulio Cesare 12/B",
        "domicilio_comune": "TORINO",
        "domicilio_codice_comune": "001272",
    }
    return {**row, **changes}


def write(path: Path, schema: ExtractSchema, rows: list[dict[str, object]]) -> Path:
    header = schema.header
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if row.get(c) is None else row.get(c, "") for c in header])
    return path
