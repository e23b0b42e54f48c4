# SPDX-License-Identifier: EUPL-1.2
"""The words of Italian addresses: street types, markers, abbreviations, articles.

All entries are upper case, without accents and without dots: the tokenizer removes the dots
before it looks a word up here.
"""

from __future__ import annotations

from typing import Final

# The DUG (denominazione urbanistica generica) and the ways people write it, dots removed.
# Single letters (V., C., P.) count only at the start of the text, where the parser looks.
DUG_FORMS: Final[dict[str, tuple[str, ...]]] = {
    "VIA": ("VIA", "V"),
    "VIALE": ("VIALE", "VLE", "VL"),
    "VICOLO": ("VICOLO", "VLO", "VCLO", "VIC"),
    "CORSO": ("CORSO", "CSO", "C"),
    "PIAZZA": ("PIAZZA", "PZZA", "PZA", "PZ", "PIAZ", "P"),
    "PIAZZALE": ("PIAZZALE", "PLE", "PZLE", "PZALE"),
    "PIAZZETTA": ("PIAZZETTA", "PTTA", "PZTTA"),
    "LARGO": ("LARGO", "LGO", "LG"),
    "STRADA": ("STRADA", "STR", "SDA"),
    "STRADELLA": ("STRADELLA",),
    "GALLERIA": ("GALLERIA", "GALL", "GLL"),
    "LUNGO PO": ("LUNGO PO", "LUNGOPO"),
    "LUNGO DORA": ("LUNGO DORA", "LUNGODORA"),
    "LUNGO STURA": ("LUNGO STURA", "LUNGOSTURA"),
    "LUNGOMARE": ("LUNGOMARE",),
    "LUNGOLAGO": ("LUNGOLAGO",),
    "LUNGOTEVERE": ("LUNGOTEVERE",),
    "LUNGARNO": ("LUNGARNO",),
    "SALITA": ("SALITA",),
    "RAMPA": ("RAMPA",),
    "BORGO": ("BORGO", "BGO"),
    "BORGATA": ("BORGATA", "BTA"),
    "CORTE": ("CORTE",),
    "CORTILE": ("CORTILE",),
    "CONTRADA": ("CONTRADA", "CDA"),
    "LOCALITA": ("LOCALITA", "LOC"),
    "FRAZIONE": ("FRAZIONE", "FRAZ"),
    "PASSAGGIO": ("PASSAGGIO", "PASS"),
    "PASSEGGIATA": ("PASSEGGIATA",),
    "TRAVERSA": ("TRAVERSA", "TRAV"),
    "VIOTTOLO": ("VIOTTOLO",),
    "CIRCONVALLAZIONE": ("CIRCONVALLAZIONE", "CIRC"),
    "ALZAIA": ("ALZAIA",),
    "BASTIONI": ("BASTIONI",),
    "PORTICI": ("PORTICI",),
}
# Longest DUGs have three words ("STRADA VICINALE DI" is left to the name).
MAX_DUG_WORDS: Final = 3

# Before a number: "n. 12", "civ. 12", "nr 12", "numero 12".
CIVIC_MARKERS: Final = frozenset({"N", "NR", "NRO", "NUM", "NUMERO", "CIV", "CIVICO", "NC"})
# "senza numero civico".
NO_CIVIC: Final = frozenset({"SNC", "SN"})
# Suffixes (esponenti) written as words; single letters are suffixes too.
SUFFIX_WORDS: Final = frozenset(
    {"BIS", "TER", "QUATER", "QUINQUIES", "SEXIES", "SEPTIES", "OCTIES", "NOVIES", "DECIES"}
)
STAIRCASE_WORDS: Final = frozenset({"SCALA", "SC", "SCAL"})
FLOOR_WORDS: Final = frozenset({"PIANO", "P"})
INTERNO_WORDS: Final = frozenset({"INTERNO", "INT", "I", "APPARTAMENTO", "APP", "APPART"})
# Words that end the street name even before any civic number: only the unambiguous
# abbreviations, since "VIA DELLA SCALA" and "VIA DEL PIANO" are real streets.
NAME_STOPPERS: Final = frozenset({"SC", "SCAL", "INT", "APP", "APPART"})
# "piano terra" and the like, as the registry writes the floor.
FLOOR_VALUES: Final[dict[str, str]] = {
    "T": "0",
    "PT": "0",
    "TERRA": "0",
    "TERRENO": "0",
    "RIALZATO": "R",
    "R": "R",
    "PR": "R",
    "SEMINTERRATO": "S",
    "S": "S",
    "PRIMO": "1",
    "SECONDO": "2",
    "TERZO": "3",
    "QUARTO": "4",
    "QUINTO": "5",
    "SESTO": "6",
    "SETTIMO": "7",
    "OTTAVO": "8",
    "NONO": "9",
    "DECIMO": "10",
}
# Who the mail is for, not where: "c/o Rossi", "presso Rossi".
CARE_OF: Final = frozenset({"PRESSO", "CO"})

# Articles and prepositions: "VIA ACCADEMIA SCIENZE" is "VIA ACCADEMIA DELLE SCIENZE".
# "I" is left out: it is also the numeral of UMBERTO I.
STOPWORDS: Final = frozenset(
    {
        "DI", "D", "DA", "DEL", "DELLO", "DELLA", "DELLE", "DEI", "DEGLI", "DELL",
        "DAL", "DALLO", "DALLA", "DALLE", "DAI", "DAGLI", "DALL",
        "AL", "ALLO", "ALLA", "ALLE", "AI", "AGLI", "ALL",
        "IL", "LO", "LA", "LE", "GLI", "L", "E", "ED", "IN", "NEL", "NELLA", "SUL", "SULLA",
    }
)  # fmt: skip
# What an apostrophe elides before a vowel, for names written without it: "DELLARSENALE".
ELISIONS: Final = ("DELL", "DALL", "NELL", "SULL", "ALL", "SANT", "D", "L")
# San, Santo, Sant', Santa and their abbreviations are one word for matching: "S. MARIA".
SAINTS: Final = frozenset({"S", "SAN", "SANTO", "SANT", "SANTA", "STA", "STO"})
SAINT: Final = "S"
# Ordinals are numbers in names, as numerals are: VIA PRIMO MAGGIO, VIA 1° MAGGIO, VIA I MAGGIO.
ORDINALS: Final[dict[str, str]] = {
    "PRIMO": "1", "SECONDO": "2", "TERZO": "3", "QUARTO": "4", "QUINTO": "5",
    "SESTO": "6", "SETTIMO": "7", "OTTAVO": "8", "NONO": "9", "DECIMO": "10",
}  # fmt: skip

# Abbreviations of names and titles, when written with a dot ("COL DI LANA" is a mountain,
# "COL." a colonel).
NAME_ABBREVIATIONS: Final[dict[str, str]] = {
    "VITT": "VITTORIO",
    "EMAN": "EMANUELE",
    "GIUS": "GIUSEPPE",
    "GIOV": "GIOVANNI",
    "FRANC": "FRANCESCO",
    "GUGL": "GUGLIELMO",
    "ALESS": "ALESSANDRO",
    "ANT": "ANTONIO",
    "BATT": "BATTISTA",
    "GEN": "GENERALE",
    "CARD": "CARDINALE",
    "MONS": "MONSIGNORE",
    "DOTT": "DOTTORE",
    "PROF": "PROFESSORE",
    "ING": "INGEGNERE",
    "AVV": "AVVOCATO",
    "CAV": "CAVALIERE",
    "COMM": "COMMENDATORE",
    "ON": "ONOREVOLE",
    "CAP": "CAPITANO",
    "TEN": "TENENTE",
    "COL": "COLONNELLO",
    "MAGG": "MAGGIORE",
    "SERG": "SERGENTE",
    "AMM": "AMMIRAGLIO",
    "PRINC": "PRINCIPE",
    "REG": "REGINA",
    "PRES": "PRESIDENTE",
}
# Spellings of the same word, with or without a dot.
NAME_VARIANTS: Final[dict[str, str]] = {
    "FLLI": "FRATELLI",
    "FRLLI": "FRATELLI",
    "MTE": "MONTE",
    "GENERAL": "GENERALE",
    "CARDINAL": "CARDINALE",
    "DOTTOR": "DOTTORE",
}
# Abbreviations that stay one token although written with inner dots ("F.LLI", "S.N.C.").
DOTTED_WORDS: Final = frozenset(
    {form for forms in DUG_FORMS.values() for form in forms if " " not in form}
    | NO_CIVIC
    | {"FLLI", "FRLLI", "MTE", "PT", "PR", "NRO", "SNC"}
)
