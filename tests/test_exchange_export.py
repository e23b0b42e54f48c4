# SPDX-License-Identifier: EUPL-1.2
"""Exporting a node's flow: the right records for the period, in a stable order, signed, chained."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from interscambio.core.flows import Period, read_flow
from interscambio.core.flows.calendar import period_containing
from interscambio.core.synth.city import build
from interscambio.core.synth.config import CityConfig
from interscambio.core.trust import TrustList, verify_file
from interscambio.exchange.errors import ExchangeError
from interscambio.exchange.export import due_periods, export_flow
from interscambio.exchange.importing import file_sha256
from interscambio.exchange.models import Flow, Partner
from interscambio.exchange.trust import init_keys, node_identity
from interscambio.permits.loading import load_permits
from interscambio.permits.models import Permit
from interscambio.registry.loading import load_registry, load_streets
from interscambio.registry.models import RegistryEvent

TODAY = date(2026, 11, 22)
OCTOBER = Period(date(2026, 10, 1), date(2026, 10, 31))


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("city")
    build(CityConfig(residents=1000, seed=11, months=18), root, workers=1)
    return root


def node(settings: Any, tmp_path: Path, role: str) -> Partner:
    settings.DATA_DIR = tmp_path / role
    settings.NODE_ROLE = role
    settings.NODE_ID, settings.NODE_NAME = ("001272", "Torino") if role == "comune" else ("TO", "Q")
    init_keys()
    partner_id = "TO" if role == "comune" else "001272"
    return Partner.objects.create(
        node_id=partner_id, name=partner_id, transport="file", since=date(2026, 8, 1)
    )


@pytest.fixture
def comune(settings: Any, tmp_path: Path, city: Path, db: None) -> Partner:
    load_streets(city / "comune" / "stradario.csv")
    load_registry(city / "comune" / "anagrafe.csv", city / "comune" / "eventi.csv")
    return node(settings, tmp_path, "comune")


@pytest.fixture
def questura(settings: Any, tmp_path: Path, city: Path, db: None) -> Partner:
    load_permits(city / "questura" / "permessi.csv")
    return node(settings, tmp_path, "questura")


def records(flow: Flow) -> list[dict[str, Any]]:
    reader = read_flow(flow.path, flow.partner.node_id)
    items = list(reader)
    assert not [p for item in items for p in item.problems]
    assert reader.sha256 == flow.sha256 == file_sha256(flow.path)
    return [item.data for item in items]


def test_the_registry_flow_holds_each_event_of_the_fortnight_in_order(comune: Partner) -> None:
    period = Period(date(2026, 10, 1), date(2026, 10, 15))
    flow = export_flow(comune, period, today=TODAY)
    events = RegistryEvent.objects.filter(date__range=(period.start, period.end))
    sent = records(flow)
    assert flow.record_count == len(sent) == events.count() > 0
    assert [r["idRecord"] for r in sent] == list(
        events.order_by("date", "event_id").values_list("event_id", flat=True)
    )
    event = events.select_related("resident").get(event_id=sent[0]["idRecord"])
    person = sent[0]["persona"]
    assert (person["codiceFiscale"], person["cognome"], person["dataNascita"]) == (
        event.resident.codice_fiscale,
        event.resident.surname,
        event.resident.birth_date.isoformat(),
    )
    assert person["cittadinanze"] == list(
        event.resident.citizenships.order_by("rank").values_list("country", flat=True)
    )


def test_the_permit_flow_holds_the_months_issues_and_deliveries_for_the_comune(
    questura: Partner,
) -> None:
    flow = export_flow(questura, OCTOBER, today=TODAY)
    window = (OCTOBER.start, OCTOBER.end)
    mine = Permit.objects.filter(domicile_comune_code="001272")
    issued = set(mine.filter(issue_date__range=window).values_list("number", flat=True))
    delivered = set(mine.filter(delivery_date__range=window).values_list("number", flat=True))
    sent = records(flow)
    assert {r["numeroPermesso"] for r in sent if r["evento"] == "rilascio"} == issued
    assert {r["numeroPermesso"] for r in sent if r["evento"] == "consegna"} == delivered
    assert len(sent) == len(issued) + len(delivered) > 0
    assert all(r["domicilio"]["codiceComune"] == "001272" for r in sent)


def test_the_same_data_gives_the_same_bytes(comune: Partner) -> None:
    period = Period(date(2026, 9, 1), date(2026, 9, 15))
    first = export_flow(comune, period, today=TODAY)
    content = first.path.read_bytes()
    # A flow refused by the partner frees its number: exported again, it is the same flow.
    Flow.objects.filter(pk=first.pk).update(state="rejected")
    second = export_flow(comune, period, today=TODAY, generated=first.generated)
    assert (second.sequence, second.sha256) == (first.sequence, first.sha256)
    assert second.path.read_bytes() == content


def test_flows_are_numbered_chained_and_signed(comune: Partner) -> None:
    flows = [export_flow(comune, p, today=TODAY) for p in due_periods(comune, TODAY)]
    assert [f.sequence for f in flows] == list(range(1, 8))  # Aug 1-15 ... Nov 1-15
    assert [f.previous_hash for f in flows] == ["", *[f.sha256 for f in flows[:-1]]]
    headers = [read_flow(f.path).header for f in flows]
    assert [h.previous_hash for h in headers] == [None, *[f.sha256 for f in flows[:-1]]]
    assert [(h.period.start, h.period.end) for h in headers] == [
        (f.period_start, f.period_end) for f in flows
    ]
    trusted = TrustList([node_identity().certificate])
    assert all(verify_file(f.signature, f.path, trusted).node_id == "001272" for f in flows)
    assert due_periods(comune, TODAY) == []


def test_a_period_is_exported_once_and_only_once_it_has_ended(comune: Partner) -> None:
    export_flow(comune, Period(date(2026, 10, 1), date(2026, 10, 15)), today=TODAY)
    with pytest.raises(ExchangeError, match="exported already as anagrafe flow #1"):
        export_flow(comune, Period(date(2026, 10, 10), date(2026, 10, 20)), today=TODAY)
    with pytest.raises(ExchangeError, match="not over yet"):
        export_flow(comune, period_containing("anagrafe", TODAY), today=TODAY)


def test_the_questura_applies_the_comunes_flow_record_for_record(
    comune: Partner, settings: Any, tmp_path: Path
) -> None:
    from interscambio.core.trust import certificate_pem
    from interscambio.exchange.importing import receive
    from interscambio.exchange.models import ReceivedRegistryEvent
    from interscambio.exchange.trust import trust_certificate

    flow = export_flow(comune, Period(date(2026, 10, 1), date(2026, 10, 15)), today=TODAY)
    comune_certificate = certificate_pem(node_identity().certificate)
    sent, path = records(flow), flow.path
    # The same database now plays the Questura: its partner is the Comune, trusted by its cert.
    node(settings, tmp_path, "questura")
    trust_certificate(comune_certificate)
    delivery = receive(path, flow.signature, keep=True)
    assert delivery.outcome == "applicato", delivery.signed.receipt.reason
    got = ReceivedRegistryEvent.objects.order_by("line")
    assert [g.record_id for g in got] == [r["idRecord"] for r in sent]
    assert [(g.codice_fiscale, g.surname, g.kind, g.reason_code) for g in got] == [
        (
            r["persona"]["codiceFiscale"],
            r["persona"]["cognome"],
            r["tipoEvento"],
            r["codiceMotivo"],
        )
        for r in sent
    ]
