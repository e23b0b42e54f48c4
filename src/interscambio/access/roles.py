# SPDX-License-Identifier: EUPL-1.2
"""The roles, the kinds of office that may hold each, and whether it rests on the agreement."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

REGISTRY_OFFICE, IMMIGRATION_OFFICE, PREFETTURA, OTHER = (
    "anagrafe",
    "questura",
    "prefettura",
    "altra_amministrazione",
)
OFFICE_KINDS: Final = {
    REGISTRY_OFFICE: "Ufficio anagrafe del Comune",
    IMMIGRATION_OFFICE: "Ufficio immigrazione della Questura",
    PREFETTURA: "Prefettura",
    OTHER: "Altra amministrazione",
}


@dataclass(frozen=True)
class Role:
    code: str
    label: str
    offices: frozenset[str]
    # The Comune's own staff work by their employment; everyone else by the agreement.
    needs_agreement: bool
    api_only: bool = False


REGISTRY_ADMIN = "amministratore_anagrafe"
REGISTRY_OPERATOR = "operatore_anagrafe"
QUESTURA_CONSULTANT = "consultatore_questura"
# The immigration office's own staff on the Questura's node, working its discrepancy queue.
QUESTURA_OPERATOR = "operatore_questura"
PREFETTURA_SUPERVISOR = "supervisore_prefettura"
VERIFIER = "verificatore"

ROLES: Final[dict[str, Role]] = {
    r.code: r
    for r in (
        Role(REGISTRY_ADMIN, "Amministratore dell'anagrafe", frozenset({REGISTRY_OFFICE}), False),
        Role(REGISTRY_OPERATOR, "Operatore dell'anagrafe", frozenset({REGISTRY_OFFICE}), False),
        Role(
            QUESTURA_CONSULTANT,
            "Consultatore della Questura",
            frozenset({IMMIGRATION_OFFICE}),
            True,
        ),
        Role(
            QUESTURA_OPERATOR,
            "Operatore dell'ufficio immigrazione",
            frozenset({IMMIGRATION_OFFICE}),
            False,
        ),
        Role(PREFETTURA_SUPERVISOR, "Supervisore della Prefettura", frozenset({PREFETTURA}), True),
        Role(
            VERIFIER, "Verificatore (solo API)", frozenset({OTHER, IMMIGRATION_OFFICE}), True, True
        ),
    )
}
