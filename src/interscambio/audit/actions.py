# SPDX-License-Identifier: EUPL-1.2
"""The names of the actions the access log records, in one place.

Reads of personal data are the ones a supervisor's anomaly reports look at; a record id in an
entry is `residente:<registry id>` for a person, never a name.
"""

from __future__ import annotations

from typing import Final

SEARCH: Final = "ricerca"
VIEW: Final = "consultazione"
EXPORT: Final = "esportazione"
VERIFY: Final = "verifica"
LOGIN: Final = "accesso"
LOGIN_FAILED: Final = "accesso_negato"
LOGOUT: Final = "uscita"
GRANT: Final = "autorizzazione_concessa"
REVOKE: Final = "autorizzazione_revocata"
ACCOUNT: Final = "utenza_modificata"
CLIENT_ADDED: Final = "client_aggiunto"
CLIENT_REVOKED: Final = "client_revocato"
LOG_READ: Final = "lettura_registro"
LOG_PRUNED: Final = "registro_sfoltito"
# An operator's action on a discrepancy of the work queue (docs/queue.md); the query names it.
QUEUE: Final = "lavorazione_discrepanza"
# The quarterly report viewed or exported (docs/report.md): aggregates, no personal data.
REPORT: Final = "rapporto_trimestrale"

# The actions that return personal data of residents.
READS: Final = frozenset({SEARCH, VIEW, EXPORT, VERIFY})
# The purpose of the work queue's reads: an operator's own office's discrepancies, with no case
# reference to give (the anomaly rule on case references leaves them out).
QUEUE_PURPOSE: Final = "lavorazione_discrepanze"

PERSON: Final = "residente:"


def person(registry_id: str) -> str:
    return PERSON + registry_id
