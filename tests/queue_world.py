# SPDX-License-Identifier: EUPL-1.2
"""Discrepancies for the work queue's portal and browser tests, on the portal's small world
(tests/portal_world.py): the Questura reports a renewal of R0001's permit declaring another
domicile, and R0002's permit with her name spelt otherwise."""

from __future__ import annotations

from datetime import date

from interscambio.reconciliation import kinds
from interscambio.reconciliation.models import Discrepancy
from interscambio.reconciliation.service import reconcile
from interscambio.registry.models import Street
from tests.reconcile_city import permit_flow, questura

TODAY = date(2026, 10, 31)
# R0002's renewal, beside R0001's (which is `kinds.RENEWAL` in the dict below).
OTHER_RENEWAL = "rinnovo_di_R0002"


def _permit(
    number: str, surname: str, given: str, born: str, sex: str, **extra: str
) -> dict[str, str]:
    row = {
        "numero_permesso": number, "tipo": "PS", "motivo": "lavoro_subordinato",
        "canale": "kit_postale", "data_domanda": "2025-11-01", "data_rilascio": "2026-01-10",
        "data_consegna": "", "data_scadenza": "2028-01-10", "numero_permesso_precedente": "",
        "cui": f"C{number}", "codice_fiscale": "", "cognome": surname, "nome": given,
        "sesso": sex, "data_nascita": born, "luogo_nascita": "MAROCCO", "cittadinanza": "MAR",
        "domicilio_indirizzo": "CORSO REGINA MARGHERITA 12", "domicilio_comune": "TORINO",
        "domicilio_codice_comune": "001272",
    }  # fmt: skip
    row.update(extra)
    return row


def discrepancies() -> dict[str, Discrepancy]:
    """Reconcile the permit flow; the discrepancies found, by kind (R0001's renewal and
    domicile, R0002's surname) and OTHER_RENEWAL."""
    Street.objects.filter(code="00102").update(district=7)
    rows = [
        _permit("P0001", "BENNANI", "MOHAMMED", "1985-03-12", "M",
                numero_permesso_precedente="TOR0001", domicilio_indirizzo="VIA GARIBALDI 200"),
        _permit("P0002", "BENANI", "FATIMA", "1988-04-12", "F",
                numero_permesso_precedente="TOR0002"),
    ]  # fmt: skip
    reconcile(permit_flow(questura(), rows), today=TODAY)
    return {
        OTHER_RENEWAL if (d.kind, d.registry_id) == (kinds.RENEWAL, "R0002") else d.kind: d
        for d in Discrepancy.objects.all()
    }
