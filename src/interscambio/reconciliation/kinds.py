# SPDX-License-Identifier: EUPL-1.2
"""The kinds of discrepancy, their severity and the states of a discrepancy's life."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class Kind:
    code: str
    role: str  # the node that finds it
    severity: str
    label: str


HIGH, MEDIUM, LOW = "alta", "media", "bassa"
SEVERITIES: Final = {HIGH: "Alta", MEDIUM: "Media", LOW: "Bassa"}
SEVERITY_RANK: Final = {HIGH: 0, MEDIUM: 1, LOW: 2}

RENEWAL = "rinnovo_non_dichiarato"
DOMICILE = "domicilio_diverso"
PERSONAL_DATA = "dati_anagrafici_diversi"
NOT_REGISTERED = "titolare_non_iscritto"
MANUAL_REVIEW = "revisione_manuale"
EXPIRED = "permesso_scaduto"
CANCELLED_HOLDER = "cancellato_con_permesso_valido"
HOLDER_CANCELLED = "cancellazione_titolare"
HOLDER_MOVED = "cambio_indirizzo_titolare"
UNKNOWN_FOREIGNER = "straniero_sconosciuto"
# Opened by the deadlines engine (docs/deadlines.md), not by a reconciliation rule.
DWELLING_NOT_DECLARED = "dichiarazione_dimora_mancante"
CANCELLATION_DUE = "cancellazione_dovuta"

KINDS: Final[dict[str, Kind]] = {
    k.code: k
    for k in (
        Kind(RENEWAL, "comune", MEDIUM, "Rinnovo del permesso non registrato in anagrafe"),
        Kind(
            DOMICILE, "comune", MEDIUM, "Domicilio dichiarato in Questura diverso dalla residenza"
        ),
        Kind(PERSONAL_DATA, "comune", LOW, "Dati anagrafici diversi tra anagrafe e permesso"),
        Kind(NOT_REGISTERED, "comune", MEDIUM, "Titolare di permesso domiciliato non iscritto"),
        Kind(MANUAL_REVIEW, "comune", MEDIUM, "Permesso attribuibile a più residenti"),
        Kind(EXPIRED, "comune", HIGH, "Permesso scaduto senza rinnovo noto"),
        Kind(CANCELLED_HOLDER, "comune", HIGH, "Cancellato con un permesso valido nel comune"),
        Kind(HOLDER_CANCELLED, "questura", MEDIUM, "Cancellazione anagrafica di un titolare"),
        Kind(HOLDER_MOVED, "questura", LOW, "Cambio di indirizzo di un titolare"),
        Kind(UNKNOWN_FOREIGNER, "questura", MEDIUM, "Iscritto extra UE sconosciuto alla Questura"),
        Kind(
            DWELLING_NOT_DECLARED,
            "comune",
            MEDIUM,
            "Dichiarazione di dimora abituale non rinnovata entro 60 giorni dal rinnovo",
        ),
        Kind(
            CANCELLATION_DUE,
            "comune",
            HIGH,
            "Cancellabile: 6 mesi dalla scadenza e 30 giorni dall'avviso senza rinnovo",
        ),
    )
}

OPEN, IN_REVIEW, RESOLVED, DISMISSED = "aperta", "in_esame", "risolta", "archiviata"
STATUSES: Final = {
    OPEN: "Aperta",
    IN_REVIEW: "In esame",
    RESOLVED: "Risolta",
    DISMISSED: "Archiviata",
}
CURRENT: Final = (OPEN, IN_REVIEW)
