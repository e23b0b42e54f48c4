# SPDX-License-Identifier: EUPL-1.2
"""What each role may see of a person: the one place the field policy is written.

Every view and API that shows a person filters through `visible`; a field not listed for a
role is never sent to it. The verifier sees no personal data at all, only the answers of the
verification API; the supervisor reads the access log, not the registry.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from interscambio.access import roles

RECORD: Final = frozenset({"id_anagrafe"})  # the registry's record id, which links results
IDENTITY: Final = frozenset(
    {"codice_fiscale", "cognome", "nome", "sesso", "data_nascita", "luogo_nascita", "cittadinanze"}
)
REGISTRY: Final = frozenset(
    {"stato", "data_iscrizione", "data_cancellazione", "motivo_cancellazione"}
)
ADDRESS: Final = frozenset({"indirizzo", "storico_indirizzi"})
FAMILY_LIMITED: Final = frozenset({"famiglia_componenti"})  # ids and relations, not their data
FAMILY_FULL: Final = FAMILY_LIMITED | {"famiglia_dettaglio"}
EVENTS: Final = frozenset({"eventi"})
PERMIT: Final = frozenset({"titolo_soggiorno"})
VERIFICATION: Final = frozenset({"residente", "permesso_valido", "scadenza_permesso"})

POLICY: Final[dict[str, frozenset[str]]] = {
    roles.REGISTRY_ADMIN: RECORD | IDENTITY | REGISTRY | ADDRESS | FAMILY_FULL | EVENTS | PERMIT,
    roles.REGISTRY_OPERATOR: RECORD | IDENTITY | REGISTRY | ADDRESS | FAMILY_FULL | EVENTS | PERMIT,
    roles.QUESTURA_CONSULTANT: RECORD
    | IDENTITY
    | REGISTRY
    | ADDRESS
    | FAMILY_LIMITED
    | EVENTS
    | PERMIT,
    # On its own node: the permits are its own, the registry is what the Comune's flows said.
    roles.QUESTURA_OPERATOR: RECORD | IDENTITY | REGISTRY | ADDRESS | PERMIT,
    roles.PREFETTURA_SUPERVISOR: frozenset(),
    roles.VERIFIER: VERIFICATION,
}


def visible(role: str, person: Mapping[str, Any]) -> dict[str, Any]:
    """`person` with only the fields `role` may see (nothing for an unknown role)."""
    allowed = POLICY.get(role, frozenset())
    return {k: v for k, v in person.items() if k in allowed}
