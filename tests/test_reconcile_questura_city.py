# SPDX-License-Identifier: EUPL-1.2
"""A Questura's reconciliation of a synthetic city's registry flow, against the city's truth.

The truth of the Questura's kinds is derived from the city's links and extracts: a
cancellation of a person the truth links to a holder with a current permit; a registration of
a non-EU citizen the truth links to no permit; an address change of a linked holder whose
declared domicile is another address.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from interscambio.core.addresses import address_key
from interscambio.core.codes import EU_MEMBER_STATES
from interscambio.core.synth.cli import main as synth_main
from interscambio.exchange.models import Partner, ReceivedRegistryEvent
from interscambio.permits.loading import load_permits
from interscambio.reconciliation import kinds
from interscambio.reconciliation.models import Discrepancy
from interscambio.reconciliation.questura.sides import holders
from interscambio.reconciliation.service import reconcile
from interscambio.registry.loading import load_registry, load_streets
from tests.reconcile_city import registry_flow
from tests.synth_city import City

START, END = date(2025, 5, 1), date(2026, 10, 31)


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> City:
    root = tmp_path_factory.mktemp("questura") / "city"
    assert synth_main(["--out", str(root), "--residents", "3000", "--seed", "5", "--quiet"]) == 0
    return City(root)


def expected(city: City) -> set[tuple[str, str]]:
    linked: dict[str, str] = {}
    cui = {p["numero_permesso"]: p["cui"] for p in city.permits}
    for link in city.links:
        linked[link["id_anagrafe"]] = cui[link["numero_permesso"]]
    known = holders()
    want = set()
    for e in ReceivedRegistryEvent.objects.all():
        holder = known.get(linked.get(e.registry_id, ""))
        subject = f"{e.registry_id}:{e.date.isoformat()}"
        if e.kind == "cancellazione" and holder is not None and holder.current_on(e.date):
            want.add((kinds.HOLDER_CANCELLED, subject))
        elif e.kind == "variazione" and e.reason_code == "indirizzo" and holder is not None:
            if address_key(e.address) != address_key(holder.domicile_address):
                want.add((kinds.HOLDER_MOVED, subject))
        elif e.kind == "iscrizione" and holder is None:
            foreign = not any(c in EU_MEMBER_STATES for c in e.citizenships.split(";"))
            if foreign:
                want.add((kinds.UNKNOWN_FOREIGNER, e.registry_id))
    return want


def test_the_questura_finds_what_the_registry_flow_tells_it(
    city: City, db: None, settings: Any, tmp_path: Path
) -> None:
    load_streets(city.root / "comune" / "stradario.csv")
    load_registry(city.root / "comune" / "anagrafe.csv", city.root / "comune" / "eventi.csv")
    load_permits(city.root / "questura" / "permessi.csv")
    comune = Partner.objects.create(
        node_id="001272", name="Torino", transport="file", since=date(2020, 1, 1)
    )
    flow = registry_flow(comune, START, END)
    settings.DATA_DIR, settings.NODE_ROLE, settings.NODE_ID = tmp_path, "questura", "TO"
    report = reconcile(flow, today=END)
    want = expected(city)
    got = {(d.kind, d.key.split(":", 1)[1]) for d in Discrepancy.objects.all()}
    for kind in (kinds.HOLDER_CANCELLED, kinds.HOLDER_MOVED, kinds.UNKNOWN_FOREIGNER):
        truth = {k for k in want if k[0] == kind}
        found = {k for k in got if k[0] == kind}
        assert len(truth) >= 5, f"too few {kind} in the city for the test to mean anything"
        hits = len(truth & found)
        assert hits / max(len(found), 1) >= 0.95, (kind, sorted(found - truth)[:5])
        assert hits / len(truth) >= 0.95, (kind, sorted(truth - found)[:5])
    assert (
        report.counts["attributed"]
        >= 0.95 * report.counts["people"]
        - len({k for k in want if k[0] == kinds.UNKNOWN_FOREIGNER})
        - 0.5 * report.counts["people"]
    )
