# SPDX-License-Identifier: EUPL-1.2
"""A Comune node in the test database and a Questura that signs real flows for it.

The Questura here is not a node: it is a key generated for the test and the core writer, so
a test can build any flow, well-formed or not, and sign it exactly as a partner would.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from interscambio.core.flows import Header, Period, write_flow
from interscambio.core.trust import NodeIdentity, certificate_pem, sign_file
from interscambio.exchange.models import Flow, Partner, ReceivedPermit
from interscambio.exchange.trust import trust_certificate
from tests.test_flow_format import permit_record

OCTOBER = Period(date(2026, 10, 1), date(2026, 10, 31))


@dataclass
class Questura:
    identity: NodeIdentity
    folder: Path
    made: int = 0

    def header(self, count: int, **changes: Any) -> Header:
        values: dict[str, Any] = {
            "flow_type": "permessi",
            "sender": "TO",
            "receiver": "001272",
            "period": OCTOBER,
            "sequence": 1,
            "generated": datetime(2026, 11, 2, 3, 0, tzinfo=UTC),
            "record_count": count,
            "previous_hash": None,
        }
        values.update(changes)
        return Header(**values)

    def flow(
        self,
        records: list[dict[str, Any]] | None = None,
        *,
        mangle: Callable[[bytes], bytes] | None = None,
        signer: NodeIdentity | None = None,
        **header: Any,
    ) -> tuple[Path, str]:
        """Write and sign a permit flow; `mangle` edits the bytes before (or after) signing."""
        records = [permit_record(n) for n in range(3)] if records is None else records
        self.made += 1
        path = self.folder / f"flow-{self.made}.ndjson"
        write_flow(path, self.header(len(records), **header), records)
        if mangle is not None:
            path.write_bytes(mangle(path.read_bytes()))
        return path, sign_file(signer or self.identity, path)


def snapshot() -> dict[str, Any]:
    """What a refused flow must leave untouched: the records received and the flows applied."""
    return {
        "permits": sorted(ReceivedPermit.objects.values_list("flow_id", "record_id", "number")),
        "applied": sorted(
            Flow.objects.filter(state="applied").values_list("partner_id", "flow_type", "sequence")
        ),
    }


def trust(identity: NodeIdentity) -> None:
    trust_certificate(certificate_pem(identity.certificate))


def make_partner(node_id: str = "TO", since: date = date(2026, 1, 1)) -> Partner:
    return Partner.objects.create(
        node_id=node_id, name=f"Questura {node_id}", transport="file", since=since
    )


def receipt_json(body: bytes) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(body)
    return data


def month(number: int) -> Period:
    """A month of 2026 (days 1-28 are enough for a test's period)."""
    return Period(date(2026, number, 1), date(2026, number, 28))


def future_period() -> Period:
    start = date.today() + timedelta(days=40)
    return Period(start.replace(day=1), start.replace(day=28))


def large_permit_flow(questura: Questura, count: int, **header: Any) -> tuple[Path, str]:
    """A valid, signed permit flow of `count` records, written fast (one template, no encoder);
    `header` changes its header (a later sequence number, say)."""
    import json as _json

    template = _json.dumps(permit_record(0), ensure_ascii=False, separators=(",", ":"))
    head, tail = template.split("I00000000:rilascio", 1)
    middle, rest = tail.split("I00000000", 1)
    path = questura.folder / f"large-{count}-{header.get('sequence', 1)}.ndjson"
    first = _json.dumps(questura.header(count, **header).to_json(), separators=(",", ":"))
    with path.open("w", encoding="utf-8") as out:
        out.write(first + "\n")
        for n in range(count):
            number = f"L{n:09d}"
            out.write(f"{head}{number}:rilascio{middle}{number}{rest}\n")
    return path, sign_file(questura.identity, path)
