# SPDX-License-Identifier: EUPL-1.2
"""A Comune's reconciliation on a synthetic city, measured against the city's truth."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from interscambio.core.codes import EU_MEMBER_STATES
from interscambio.core.synth.cli import main as synth_main
from interscambio.exchange.models import ReceivedPermit
from interscambio.reconciliation import kinds
from interscambio.reconciliation.models import Discrepancy, Link
from interscambio.reconciliation.service import Report, reconcile
from interscambio.registry.models import RegistryEvent, Resident
from tests.reconcile_city import load_comune
from tests.reconcile_truth import expected, found_key
from tests.synth_city import City

REFERENCE = date(2026, 10, 31)
# Kinds of the truth: the thresholds fail on a regression of linkage or of a rule.
TARGETS = {
    "rinnovo_non_dichiarato": (0.99, 0.99),
    "domicilio_diverso": (0.97, 0.97),
    "titolare_non_iscritto": (0.97, 0.93),
    "permesso_scaduto": (0.97, 0.97),
    "cancellato_con_permesso_valido": (0.97, 0.97),
}


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> City:
    root = tmp_path_factory.mktemp("reconcile") / "city"
    assert synth_main(["--out", str(root), "--residents", "3000", "--seed", "7", "--quiet"]) == 0
    return City(root)


@pytest.fixture
def reconciled(city: City, db: None, settings: Any, tmp_path: Path) -> Report:
    settings.DATA_DIR = tmp_path
    return reconcile(load_comune(city.root), today=REFERENCE)


def _found() -> set[tuple[str, str]]:
    return {found_key(d.kind, d.registry_id, d.holder_cui) for d in Discrepancy.objects.all()}


def test_each_kind_is_found_with_its_precision_and_recall(city: City, reconciled: Report) -> None:
    want, got = expected(city, REFERENCE), _found()
    for kind, (precision_min, recall_min) in TARGETS.items():
        truth = {k for k in want if k[0] == kind}
        found = {k for k in got if k[0] == kind}
        assert truth, f"the city has no {kind}: the test would prove nothing"
        hits = len(truth & found)
        precision, recall = hits / max(len(found), 1), hits / len(truth)
        assert precision >= precision_min, (kind, precision, sorted(found - truth)[:5])
        assert recall >= recall_min, (kind, recall, sorted(truth - found)[:5])
    _links_agree_with_the_truth(city)
    _eu_citizens_are_never_flagged_for_a_permit(city)
    _each_discrepancy_has_evidence_provenance_and_history(reconciled)


def _links_agree_with_the_truth(city: City) -> None:
    received = set(ReceivedPermit.objects.values_list("number", flat=True))
    truth = {
        (r["numero_permesso"], r["id_anagrafe"])
        for r in city.links
        if r["numero_permesso"] in received
    }
    made = set(Link.objects.values_list("permit_number", "registry_id"))
    hits = len(truth & made)
    assert hits / len(made) >= 0.995
    assert hits / len(truth) >= 0.99


def _eu_citizens_are_never_flagged_for_a_permit(city: City) -> None:
    eu = {
        r["id_anagrafe"]
        for r in city.residents
        if any(c in EU_MEMBER_STATES for c in r["cittadinanze"].split(";"))
    }
    assert eu
    flagged = set(
        Discrepancy.objects.filter(kind__in=[kinds.EXPIRED, kinds.RENEWAL]).values_list(
            "registry_id", flat=True
        )
    )
    assert not flagged & eu


def _each_discrepancy_has_evidence_provenance_and_history(reconciled: Report) -> None:
    for d in Discrepancy.objects.filter(kind=kinds.DOMICILE)[:50]:
        assert d.evidence["anagrafe"]["indirizzo"] and d.evidence["permesso"]["domicilio"]
        assert d.evidence["collegamento"]["regola"]
        assert d.flow_id == reconciled.run.flow_id and d.record_id
        assert [c.action for c in d.history.all()] == ["aperta"]
    expired = Discrepancy.objects.filter(kind=kinds.EXPIRED).first()
    assert expired is not None and expired.due_date is not None


def test_a_second_run_opens_nothing_then_applying_renewals_records_them(
    reconciled: Report, settings: pytest.FixtureRequest
) -> None:
    before = Discrepancy.objects.count()
    again = reconcile(reconciled.run.flow, today=REFERENCE)
    assert again.stored.opened == 0 and again.stored.updated == 0
    assert Discrepancy.objects.count() == before
    # Renewals are proposed by default, the registry left alone.
    assert reconciled.counts["renewals_recorded"] == 0
    assert not RegistryEvent.objects.filter(
        reason_code="titolo_soggiorno", event_id__startswith="RIC"
    )
    assert Discrepancy.objects.filter(kind=kinds.RENEWAL, status=kinds.OPEN).exists()
    _renewals_applied_when_configured_with_provenance(reconciled, settings)


def _renewals_applied_when_configured_with_provenance(reconciled: Report, settings: Any) -> None:
    settings.RECONCILE_RENEWALS = "apply"  # type: ignore[attr-defined]
    proposed = dict(
        Discrepancy.objects.filter(
            kind=kinds.RENEWAL, status=kinds.OPEN, rule="permesso_piu_recente"
        ).values_list("registry_id", "permit_number")
    )
    report = reconcile(reconciled.run.flow, today=REFERENCE)
    assert report.counts["renewals_recorded"] > 0.9 * len(proposed)
    registry_id, number = next(iter(proposed.items()))
    resident = Resident.objects.get(registry_id=registry_id)
    if resident.title_number == number:
        assert resident.dwelling_declaration_date == REFERENCE
        event = resident.events.get(reason_code="titolo_soggiorno", event_id__startswith="RIC")
        assert event.changes["dopo"]["title_number"] == number
        assert event.changes["fonte"]["flusso"] == reconciled.run.flow_id
        d = Discrepancy.objects.get(kind=kinds.RENEWAL, registry_id=registry_id)
        assert d.status == kinds.RESOLVED and d.outcome == "rinnovo registrato in anagrafe"
        assert [c.to_status for c in d.history.all()] == [kinds.OPEN, kinds.RESOLVED]
    # Recorded renewals leave no expired-permit discrepancy behind them.
    renewed = set(
        Resident.objects.filter(events__event_id__startswith="RIC").values_list(
            "registry_id", flat=True
        )
    )
    assert (
        not Discrepancy.objects.filter(
            kind=kinds.EXPIRED, status__in=kinds.CURRENT, registry_id__in=renewed
        )
        .filter(evidence__permessoPiuRecente__dataScadenza__gte=REFERENCE.isoformat())
        .exists()
    )
