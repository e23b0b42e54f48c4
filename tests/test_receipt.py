# SPDX-License-Identifier: EUPL-1.2
"""The receipt document: valid lines as ranges, its round trip through the schema."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from interscambio.core.flows import FlowProblem, Period
from interscambio.core.flows.receipt import REFUSED, FlowRef, Lines, Receipt, valid_lines


@pytest.mark.parametrize(
    ("rejected", "ranges"),
    [
        ([], [(2, 9)]),
        ([2], [(3, 9)]),
        ([9], [(2, 8)]),
        ([2, 3, 4, 5, 6, 7, 8, 9], []),
        ([4, 4, 5, 7], [(2, 3), (6, 6), (8, 9)]),
        ([7, 3], [(2, 2), (4, 6), (8, 9)]),
        ([12], [(2, 9)]),
    ],
)
def test_valid_lines_are_the_ranges_between_rejected_ones(
    rejected: list[int], ranges: list[tuple[int, int]]
) -> None:
    assert valid_lines(2, 9, rejected) == [Lines(a, b) for a, b in ranges]


def test_no_records_no_ranges() -> None:
    assert valid_lines(0, 0, []) == []


def test_a_receipt_reads_back_as_written() -> None:
    receipt = Receipt(
        flow=FlowRef(
            "ab" * 32, "permessi", "TO", "001272", 4, Period(date(2026, 9, 1), date(2026, 9, 30))
        ),
        outcome=REFUSED,
        issued=datetime(2026, 10, 2, 8, 30, tzinfo=UTC),
        reason="2 record(s) rejected: nothing was applied",
        record_count=1200,
        valid_count=1198,
        valid=[Lines(2, 40), Lines(42, 500)],
        rejected_count=2,
        rejected=[
            FlowProblem(41, "I1:rilascio", "motivo", "unknown code"),
            FlowProblem(501, "I2:rilascio", "idRecord", "duplicate (first on line 2)"),
        ],
        listed_to=501,
    )
    again = Receipt.from_bytes(receipt.to_bytes())
    assert again == receipt
    assert again.summary() == (
        "rifiutato: 1198 valid, 2 rejected (2 record(s) rejected: nothing was applied)"
    )


def test_a_receipt_with_ids_for_valid_records_is_not_valid() -> None:
    body = Receipt(FlowRef("ab" * 32), REFUSED, datetime(2026, 10, 2, tzinfo=UTC)).to_json()
    body["recordValidi"] = ["I1:rilascio"]
    with pytest.raises(ValueError, match="recordValidi"):
        Receipt.from_bytes(json.dumps(body).encode())
