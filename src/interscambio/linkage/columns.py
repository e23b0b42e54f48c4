# SPDX-License-Identifier: EUPL-1.2
"""The columns of the files `interscambio link` reads, in the order the files are written."""

from __future__ import annotations

from typing import Final

COLUMNS: Final = (
    "id",
    "codice_fiscale",
    "cognome",
    "nome",
    "sesso",
    "data_nascita",
    "luogo_nascita",
    "cittadinanza",
    "indirizzo",
)
