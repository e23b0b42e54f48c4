# SPDX-License-Identifier: EUPL-1.2
"""What a Comune's reconciliation should find in a synthetic city, from the city's truth.

`truth/discrepancies.csv` lists the discrepancies the generator made. Two kinds are derived
here from the truth's links and the extracts, because the generator does not list them:
a cancelled person (not dead) still holding a valid permit domiciled in the city, and a
resident whose last issued permit expired while a renewal application waits at the Questura:
the Comune cannot see an application (the permit flow carries issued and delivered permits
only), so "expired, no renewal known" is the right conclusion from what it holds.
"""

from __future__ import annotations

from datetime import date, timedelta

from interscambio.core.codes import EU_MEMBER_STATES
from tests.synth_city import City

Key = tuple[str, str]


def _linked(city: City) -> dict[str, list[dict[str, str]]]:
    permits = {p["numero_permesso"]: p for p in city.permits}
    held: dict[str, list[dict[str, str]]] = {}
    for link in city.links:
        held.setdefault(link["id_anagrafe"], []).append(permits[link["numero_permesso"]])
    return held


def expected(city: City, today: date, grace_days: int = 60) -> set[Key]:
    want = {
        (d["kind"], d["cui"] if d["kind"] == "titolare_non_iscritto" else d["id_anagrafe"])
        for d in city.discrepancies
    }
    limit = (today - timedelta(days=grace_days)).isoformat()
    residents = {r["id_anagrafe"]: r for r in city.residents}
    for registry_id, permits in _linked(city).items():
        person = residents[registry_id]
        if any(c in EU_MEMBER_STATES for c in person["cittadinanze"].split(";")):
            continue
        issued = [p for p in permits if p["data_rilascio"]]
        if not issued:
            continue
        last = max(issued, key=lambda p: p["data_rilascio"])
        if person["stato"] == "residente":
            waiting = any(not p["data_rilascio"] for p in permits)
            if waiting and last["data_scadenza"] and last["data_scadenza"] < limit:
                want.add(("permesso_scaduto", registry_id))
        elif person["motivo_cancellazione"] not in {"1", "2"}:
            valid = [
                p
                for p in issued
                if p["data_scadenza"] >= today.isoformat()
                and p["domicilio_codice_comune"] == "001272"
            ]
            if valid and ("rinnovo_non_dichiarato", registry_id) not in want:
                want.add(("cancellato_con_permesso_valido", registry_id))
    return want


def found_key(kind: str, registry_id: str, cui: str) -> Key:
    return (kind, cui if kind == "titolare_non_iscritto" else registry_id)
