# SPDX-License-Identifier: EUPL-1.2
"""Code tables shared by the extracts, the models and the synthetic city.

Registry codes follow the national registry (ANPR) reference tables; permit codes are ours,
documented in docs/extracts.md, because the Questura's systems publish none.
"""

from __future__ import annotations

from typing import Final

# ANPR table 8: kind of stay title held by a foreign resident.
STAY_TITLE_KINDS: Final[dict[str, str]] = {
    "1": "Permesso di soggiorno",
    "2": "Permesso UE per soggiornanti di lungo periodo / carta di soggiorno",
    "3": "Attestazione di soggiorno permanente",
    "4": "Attestazione di regolarità del soggiorno (cittadini UE)",
    "5": "Ricevuta di richiesta del permesso",
    "6": "Rinnovo in corso",
    "7": "Senza permesso",
    "8": "Altro titolo",
    "9": "Non noto",
}

# ANPR table 7: reasons for registration (iscrizione).
REGISTRATION_REASONS: Final[dict[str, str]] = {
    "1": "Nascita",
    "2": "Esistenza giudizialmente riconosciuta",
    "3": "Immigrazione da altro comune",
    "4": "Immigrazione dall'estero",
    "5": "Ricomparsa da irreperibilità",
    "6": "Rimpatrio da AIRE",
    "7": "Rettifiche post censuarie",
    "8": "Trasferimento di domicilio di un senza fissa dimora",
    "9": "Altri motivi",
    "10": "Ripristino posizione precedente",
}

# ANPR table 15: reasons for cancellation (cancellazione).
CANCELLATION_REASONS: Final[dict[str, str]] = {
    "1": "Morte accertata",
    "2": "Morte presunta giudizialmente dichiarata",
    "3": "Trasferimento di residenza in altro comune",
    "4": "Trasferimento di domicilio (senza fissa dimora)",
    "5": "Trasferimento di residenza all'estero di uno straniero",
    "6": "Irreperibilità",
    "7": "Mancato rinnovo della dichiarazione di dimora abituale o del permesso di soggiorno",
    "8": "Trasferimento di residenza (iscrizione AIRE)",
    "9": "Rettifiche post censuarie",
    "10": "Doppia iscrizione",
    "11": "Perdita della cittadinanza italiana",
    "13": "Altri motivi",
}

# Kinds of change (variazione) the exchange reports; the registry systems have no common table.
CHANGE_REASONS: Final[dict[str, str]] = {
    "indirizzo": "Cambio di indirizzo nel comune",
    "famiglia": "Variazione della famiglia anagrafica",
    "stato_civile": "Variazione dello stato civile",
    "cittadinanza": "Variazione della cittadinanza (anche acquisto della cittadinanza italiana)",
    "titolo_soggiorno": "Variazione dei dati del titolo di soggiorno",
    "dimora_abituale": "Rinnovo della dichiarazione di dimora abituale",
    "generalita": "Rettifica delle generalità",
}

EVENT_KINDS: Final[dict[str, dict[str, str]]] = {
    "iscrizione": REGISTRATION_REASONS,
    "variazione": CHANGE_REASONS,
    "cancellazione": CANCELLATION_REASONS,
}

REGISTRY_STATUSES: Final[dict[str, str]] = {
    "residente": "Residente",
    "cancellato": "Cancellato",
}

# Relationship to the head of the family (ANPR table 5, the common subset).
FAMILY_RELATIONS: Final[dict[str, str]] = {
    "1": "Intestatario scheda",
    "2": "Marito/moglie",
    "3": "Figlio/figlia",
    "7": "Padre/madre",
    "9": "Fratello/sorella",
    "13": "Convivente",
    "99": "Altro",
}

# Questura side: kind of permit card.
PERMIT_KINDS: Final[dict[str, str]] = {
    "PS": "Permesso di soggiorno",
    "UELP": "Permesso UE per soggiornanti di lungo periodo",
    "CS": "Carta di soggiorno per familiare di cittadino UE",
}

# Reason (motivo) of a permit.
PERMIT_REASONS: Final[dict[str, str]] = {
    "lavoro_subordinato": "Lavoro subordinato",
    "lavoro_autonomo": "Lavoro autonomo",
    "famiglia": "Motivi familiari",
    "studio": "Studio",
    "attesa_occupazione": "Attesa occupazione",
    "asilo": "Asilo politico",
    "protezione_sussidiaria": "Protezione sussidiaria",
    "protezione_speciale": "Protezione speciale",
    "cure_mediche": "Cure mediche",
    "minore_eta": "Minore età",
    "lungo_periodo": "Soggiornante di lungo periodo",
    "familiare_ue": "Familiare di cittadino UE",
    "altro": "Altro",
}

# How the application reached the Questura.
PERMIT_CHANNELS: Final[dict[str, str]] = {
    "kit_postale": "Kit postale (Poste Italiane)",
    "prenotafacile": "Prenotafacile (prenotazione Polizia di Stato)",
    "sportello": "Ufficio Immigrazione (di persona)",
}

PERMIT_STATUSES: Final[dict[str, str]] = {
    "richiesto": "Richiesto",
    "rilasciato": "Rilasciato",
    "consegnato": "Consegnato",
    "scaduto": "Scaduto",
    "rinnovato": "Rinnovato",
    "revocato": "Revocato",
}

SEXES: Final[dict[str, str]] = {"M": "Maschio", "F": "Femmina"}

# EU member states (ISO 3166-1 alpha-3): their citizens register without a permit.
EU_MEMBER_STATES: Final[frozenset[str]] = frozenset(
    {
        "AUT", "BEL", "BGR", "CYP", "CZE", "DEU", "DNK", "ESP", "EST", "FIN", "FRA", "GRC", "HRV",
        "HUN", "IRL", "ITA", "LTU", "LUX", "LVA", "MLT", "NLD", "POL", "PRT", "ROU", "SVK", "SVN",
        "SWE",
    }
)  # fmt: skip
