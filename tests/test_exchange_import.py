# SPDX-License-Identifier: EUPL-1.2
"""Importing a partner's flow: the bad input catalogue, replays, gaps, and all-or-nothing.

Each bad flow must be refused with a receipt that says why, and leave the records received
and the flows applied exactly as they were.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from interscambio.core.flows.receipt import APPLIED, HELD, REFUSED
from interscambio.core.trust import generate_identity, load_identity
from interscambio.exchange import diagnosis, importing
from interscambio.exchange.models import Flow, ReceivedPermit
from interscambio.exchange.trust import init_keys
from tests.flows import (
    Questura,
    future_period,
    make_partner,
    month,
    receipt_json,
    snapshot,
    trust,
)
from tests.test_flow_format import permit_record


@pytest.fixture
def questura(settings: Any, tmp_path: Path, db: None) -> Questura:
    """A Comune node (keys, partner TO, TO's certificate trusted) and TO's signing key."""
    settings.DATA_DIR = tmp_path / "comune"
    settings.NODE_ROLE, settings.NODE_ID, settings.NODE_NAME = "comune", "001272", "Torino"
    init_keys()
    make_partner("TO")
    identity = load_identity(*generate_identity("TO", "Questura di Torino"))
    trust(identity)
    folder = tmp_path / "questura"
    folder.mkdir()
    return Questura(identity, folder)


def receive(flow: tuple[Path, str]) -> importing.Delivery:
    return importing.receive(flow[0], flow[1], keep=True)


def refused(questura: Questura, flow: tuple[Path, str], *expected: str) -> dict[str, Any]:
    """Receive `flow`, assert it is refused naming each `expected` text, nothing changed."""
    before = snapshot()
    delivery = receive(flow)
    receipt = receipt_json(delivery.signed.body)
    text = (receipt["motivo"] or "") + " ".join(
        f"{r['campo']}: {r['errore']}" for r in receipt["recordRifiutati"]
    )
    assert receipt["esito"] == REFUSED, receipt
    for part in expected:
        assert part in text, (part, text)
    assert snapshot() == before
    return receipt


def test_a_good_flow_is_applied_with_every_record(questura: Questura) -> None:
    delivery = receive(questura.flow([permit_record(n) for n in range(5)]))
    assert delivery.outcome == APPLIED
    receipt = receipt_json(delivery.signed.body)
    assert receipt["recordValidi"] == [{"dallaRiga": 2, "allaRiga": 6}]
    assert (receipt["numeroValidi"], receipt["numeroRifiutati"]) == (5, 0)
    assert receipt["recordRifiutati"] == []
    assert receipt["elencoFinoAllaRiga"] is None
    held = ReceivedPermit.objects.order_by("line")
    assert [p.number for p in held] == [f"I{n:08d}" for n in range(5)]
    first = held.first()
    assert first is not None
    assert (first.surname, first.citizenship, first.domicile_comune_code) == (
        "ZHANG",
        "CHN",
        "001272",
    )
    assert str(first.issue_date) == "2026-10-03" and first.codice_fiscale == ""


def _truncate(raw: bytes) -> bytes:
    return raw[: raw.rindex(b"\n", 0, len(raw) - 1) + 1]


MANGLED: list[tuple[str, Callable[[bytes], bytes], str]] = [
    ("truncated file", _truncate, "truncated or padded"),
    ("cut in the middle of a line", lambda raw: raw[:-40], "not JSON"),
    ("not JSON", lambda raw: raw.replace(b'"evento"', b"evento", 1), "not JSON"),
    (
        "wrong schema version",
        lambda raw: raw.replace(b'"versione":"1"', b'"versione":"7"', 1),
        "format version '7' is not supported",
    ),
    (
        "unknown flow type",
        lambda raw: raw.replace(b'"tipo":"permessi"', b'"tipo":"visti"', 1),
        "unknown flow type 'visti'",
    ),
    ("non-UTF-8 bytes", lambda raw: raw.replace(b"ZHANG", b"ZH\xc0NG", 1), "not UTF-8"),
]


@pytest.mark.parametrize(("case", "mangle", "message"), MANGLED, ids=[m[0] for m in MANGLED])
def test_a_flow_that_cannot_be_read_is_refused(
    questura: Questura, case: str, mangle: Callable[[bytes], bytes], message: str
) -> None:
    refused(questura, questura.flow(mangle=mangle), message)


def test_a_missing_signature_is_refused(questura: Questura) -> None:
    path, _ = questura.flow()
    refused(questura, (path, ""), "signature")


def test_a_signature_by_an_unknown_key_is_refused(questura: Questura) -> None:
    stranger = load_identity(*generate_identity("TO", "Not the Questura"))
    receipt = refused(questura, questura.flow(signer=stranger), "unknown key", stranger.kid)
    assert receipt["flusso"]["mittente"] is None  # nothing is believed of an unsigned flow


def test_a_body_altered_after_signing_is_refused(questura: Questura) -> None:
    path, signature = questura.flow()
    path.write_bytes(path.read_bytes().replace(b"ZHANG", b"ZHENG", 1))
    refused(questura, (path, signature), "altered")


def test_a_flow_for_another_node_is_refused(questura: Questura) -> None:
    refused(questura, questura.flow(receiver="001099"), "addressed to '001099'")


def test_a_period_in_the_future_is_refused(questura: Questura) -> None:
    refused(questura, questura.flow(period=future_period()), "not over yet")


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"dataRilascio": "2026-02-30"}, "dataRilascio", ""),
        ({"motivo": "turismo_spaziale"}, "motivo", "unknown code 'turismo_spaziale'"),
        (
            {"titolare": {**permit_record(0)["titolare"], "codiceFiscale": "ZHNWEI90B28Z210A"}},
            "titolare.codiceFiscale",
            "check",
        ),
    ],
    ids=["impossible date", "unknown reason code", "invalid codice fiscale"],
)
def test_a_bad_record_refuses_the_flow_naming_record_and_field(
    questura: Questura, change: dict[str, Any], field: str, message: str
) -> None:
    records = [permit_record(n) for n in range(4)]
    records[2] = {**records[2], **change}
    receipt = refused(questura, questura.flow(records), "nothing was applied")
    [problem] = receipt["recordRifiutati"]
    assert (problem["riga"], problem["idRecord"], problem["campo"]) == (
        4,
        "I00000002:rilascio",
        field,
    )
    assert message in problem["errore"]
    assert receipt["recordValidi"] == [
        {"dallaRiga": 2, "allaRiga": 3},
        {"dallaRiga": 5, "allaRiga": 5},
    ]
    assert (receipt["numeroValidi"], receipt["numeroRifiutati"]) == (3, 1)


def test_duplicate_record_ids_refuse_the_flow(questura: Questura) -> None:
    records = [permit_record(1), permit_record(2), permit_record(1)]
    receipt = refused(questura, questura.flow(records), "nothing was applied")
    assert [(p["riga"], p["campo"]) for p in receipt["recordRifiutati"]] == [(4, "idRecord")]
    assert "duplicate (first on line 2)" in receipt["recordRifiutati"][0]["errore"]


def test_every_repetition_of_an_id_is_named_with_its_first_line(questura: Questura) -> None:
    records = [permit_record(n) for n in (1, 2, 1, 3, 2, 1)]
    receipt = refused(questura, questura.flow(records), "3 record(s) rejected")
    assert [(p["riga"], p["errore"]) for p in receipt["recordRifiutati"]] == [
        (4, "duplicate (first on line 2)"),
        (6, "duplicate (first on line 3)"),
        (7, "duplicate (first on line 2)"),
    ]
    assert receipt["recordValidi"] == [
        {"dallaRiga": 2, "allaRiga": 3},
        {"dallaRiga": 5, "allaRiga": 5},
    ]
    assert (receipt["numeroValidi"], receipt["numeroRifiutati"]) == (3, 3)


def test_a_bad_record_that_is_also_a_duplicate_counts_once(questura: Questura) -> None:
    records = [permit_record(1), permit_record(2), {**permit_record(1), "motivo": "boh"}]
    receipt = refused(questura, questura.flow(records), "1 record(s) rejected")
    assert [(p["riga"], p["campo"]) for p in receipt["recordRifiutati"]] == [
        (4, "motivo"),
        (4, "idRecord"),
    ]
    assert (receipt["numeroValidi"], receipt["numeroRifiutati"]) == (2, 1)


def test_beyond_the_listed_limit_a_receipt_counts_and_says_where_its_lists_stop(
    questura: Questura, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(diagnosis, "LISTED", 3)
    bad = {"motivo": "boh"}
    # Lines 2-9: 2 good, 3 bad, 4 duplicate of 2, 5 good, 6 bad, 7 duplicate of 5, 8 bad, 9 good.
    records = [
        permit_record(1),
        {**permit_record(2), **bad},
        permit_record(1),
        permit_record(4),
        {**permit_record(5), **bad},
        permit_record(4),
        {**permit_record(7), **bad},
        permit_record(8),
    ]
    receipt = refused(questura, questura.flow(records), "5 record(s) rejected")
    assert [(p["riga"], p["campo"]) for p in receipt["recordRifiutati"]] == [
        (3, "motivo"),
        (4, "idRecord"),
        (6, "motivo"),
    ]
    assert receipt["elencoFinoAllaRiga"] == 6
    assert receipt["recordValidi"] == [
        {"dallaRiga": 2, "allaRiga": 2},
        {"dallaRiga": 5, "allaRiga": 5},
    ]
    assert (receipt["numeroValidi"], receipt["numeroRifiutati"]) == (3, 5)


def test_a_byte_order_mark_is_accepted(questura: Questura) -> None:
    delivery = receive(questura.flow(mangle=lambda raw: b"\xef\xbb\xbf" + raw))
    assert delivery.outcome == APPLIED
    assert ReceivedPermit.objects.count() == 3


def test_an_empty_flow_is_applied_and_acknowledged(questura: Questura) -> None:
    delivery = receive(questura.flow([]))
    assert delivery.outcome == APPLIED
    assert receipt_json(delivery.signed.body)["numeroRecord"] == 0
    assert Flow.objects.get().state == "applied"


def _chain(questura: Questura, count: int) -> list[tuple[Path, str]]:
    """`count` monthly flows from January, numbered 1, 2... and each chained to the previous."""
    flows, previous = [], None
    for number in range(1, count + 1):
        records = [permit_record(100 * number + n) for n in range(2)]
        flow = questura.flow(records, sequence=number, previous_hash=previous, period=month(number))
        previous = importing.file_sha256(flow[0])
        flows.append(flow)
    return flows


def test_the_same_flow_twice_changes_nothing_and_gets_the_same_receipt(questura: Questura) -> None:
    flow = questura.flow()
    first = receive(flow)
    again = receive(flow)
    assert again.replay and again.signed.body == first.signed.body
    assert again.signed.signature == first.signed.signature
    assert ReceivedPermit.objects.count() == 3 and Flow.objects.count() == 1


def test_an_old_sequence_number_with_other_bytes_is_refused(questura: Questura) -> None:
    first, second = _chain(questura, 2)
    assert receive(first).outcome == APPLIED and receive(second).outcome == APPLIED
    old = questura.flow(sequence=1, period=month(1))
    refused(questura, old, "1 was applied already")


def test_a_broken_chain_is_refused(questura: Questura) -> None:
    first, _ = _chain(questura, 2)
    assert receive(first).outcome == APPLIED
    refused(questura, questura.flow(sequence=2, previous_hash="0" * 64), "chain is broken")


def test_a_sequence_gap_holds_the_flow_until_the_missing_one_arrives(questura: Questura) -> None:
    first, second, third = _chain(questura, 3)
    assert receive(first).outcome == APPLIED
    before = snapshot()
    held = receive(third)
    assert held.outcome == HELD
    assert "expected 2, received 3" in (held.signed.receipt.reason or "")
    assert snapshot() == before
    # The missing flow arrives: it is applied, and the held one after it.
    unblocked = receive(second)
    assert unblocked.outcome == APPLIED
    assert [d.signed.receipt.outcome for d in unblocked.following] == [APPLIED]
    assert sorted(Flow.objects.filter(state="applied").values_list("sequence", flat=True)) == [
        1,
        2,
        3,
    ]
    # Asked again, the third flow's receipt now says applied.
    assert receive(third).signed.receipt.outcome == APPLIED


def test_the_operator_releases_or_refuses_a_held_flow(questura: Questura) -> None:
    first, _, third, fourth = _chain(questura, 4)
    receive(first)
    held = receive(third).flow
    assert held is not None
    assert importing.release(held).outcome == APPLIED
    later = receive(fourth).flow
    assert later is not None and later.state == "applied"
    with pytest.raises(importing.ExchangeError, match="only a held flow"):
        importing.refuse(later, "too late")


def test_an_applied_permit_flow_is_reconciled_unless_configured_not_to(
    questura: Questura, settings: Any
) -> None:
    from interscambio.reconciliation.models import Discrepancy, Run

    delivery = receive(questura.flow([permit_record(n) for n in range(3)]))
    run = Run.objects.get()
    assert run.flow == delivery.flow and run.trigger == Run.AFTER_FLOW and not run.error
    # No registry person yet: the holder (one CUI, three permits) is not registered.
    assert Discrepancy.objects.filter(kind="titolare_non_iscritto").count() == 1
    settings.RECONCILE_AFTER_FLOW = False
    receive(questura.flow([permit_record(n) for n in range(3, 5)], sequence=2))
    assert Run.objects.count() == 1
