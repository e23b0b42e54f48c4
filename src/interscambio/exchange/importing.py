# SPDX-License-Identifier: EUPL-1.2
"""Taking in a partner's flow: verified, stored, checked, applied all or nothing, receipted.

The order of the checks is the order of trust: the signature says who sent the bytes, the
bytes' hash says whether they came before (then the same receipt is returned, nothing else
happens), the header says whether the flow is for this node, this period and the next number
in the partner's sequence, and the records are checked one by one while they are inserted in
a single transaction that is undone if any record is rejected. An idRecord repeated in the
flow is caught by the database's unique constraint rather than in memory; a refused flow is
then read a second time to list every problem (diagnosis.py).

A flow is stored (state `received`) and committed before it is applied: a process killed while
applying leaves the flow received and nothing of its records, and processing it again
completes it. A partner's flows are stored and applied one at a time (its row is locked), so
deliveries that arrive together, the same one twice or two consecutive ones, are taken in turn.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from interscambio.core.flows import FLOW_TYPES, FlowError, FlowReader, Header
from interscambio.core.flows.receipt import APPLIED, HELD, REFUSED, FlowRef, Lines, Receipt
from interscambio.core.trust import TrustError, verify_file
from interscambio.exchange.bulk import bulk_insert
from interscambio.exchange.diagnosis import RecordCheck, diagnose
from interscambio.exchange.errors import ExchangeError
from interscambio.exchange.models import Flow, Partner
from interscambio.exchange.models.flows import APPLIED as APPLIED_STATE
from interscambio.exchange.models.flows import HELD as HELD_STATE
from interscambio.exchange.models.flows import IN, RECEIVED
from interscambio.exchange.models.flows import REFUSED as REFUSED_STATE
from interscambio.exchange.receipts import SignedReceipt, issue
from interscambio.exchange.received import TABLES
from interscambio.exchange.signals import flow_applied
from interscambio.exchange.trust import trust_list
from interscambio.node.loading import refresh_statistics

CHUNK = 1 << 20


@dataclass(frozen=True)
class Delivery:
    """What the receiver answers: its signed receipt, and the flow as kept (None if not kept)."""

    signed: SignedReceipt
    flow: Flow | None = None
    replay: bool = False
    # Held flows this one unblocked and that were applied after it, with their new receipts.
    following: list[Delivery] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        return self.signed.receipt.outcome


class _Refusal(Exception):
    def __init__(self, reason: str, check: RecordCheck | None = None) -> None:
        super().__init__(reason)
        self.reason, self.check = reason, check


class _BadRecord(Exception):
    """A record has a problem: the inserts are undone and the flow diagnosed."""


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _receipt(
    flow: Flow | None,
    sha256: str,
    outcome: str,
    reason: str | None = None,
    check: RecordCheck | None = None,
    header: Header | None = None,
) -> Receipt:
    ref = FlowRef.of(header, sha256) if header else FlowRef(sha256)
    check = check or RecordCheck(0, [])
    return Receipt(
        flow=ref,
        outcome=outcome,
        issued=timezone.now(),
        reason=reason,
        record_count=header.record_count if header else (flow.record_count if flow else 0),
        valid_count=check.valid_count,
        valid=check.valid,
        rejected_count=check.rejected_count,
        rejected=check.rejected,
        listed_to=check.listed_to,
    )


def _read_header(path: Path) -> Header:
    with path.open("rb") as stream:
        return FlowReader(stream, expected_receiver=settings.NODE_ID).header


def receive(
    path: Path, signature: str, *, sender: Partner | None = None, keep: bool = False
) -> Delivery:
    """Take in the flow at `path` with its detached signature.

    `sender` is the partner the transport authenticated (API), if any; `keep` leaves `path`
    in place (an inbox file) instead of moving it into the node's flow store."""
    sha256 = file_sha256(path)
    try:
        verified = verify_file(signature, path, trust_list(sender))
    except TrustError as error:
        return Delivery(issue(_receipt(None, sha256, REFUSED, f"signature: {error}")))
    with transaction.atomic():
        partner = _locked(Partner.objects.get(node_id=verified.node_id).pk)
        previous = Flow.objects.filter(direction=IN, partner=partner, sha256=sha256).first()
        if previous is not None and previous.receipt:
            return Delivery(stored_receipt(previous), previous, replay=True)
        flow = previous or _store(partner, path, sha256, signature, keep)
    return process(flow)


def _locked(partner_id: int) -> Partner:
    """The partner's row, locked until the transaction ends: a partner's flows are checked and
    applied one at a time, so the same flow sent twice at once, or two consecutive flows, can
    neither both take one sequence number nor miss each other (PostgreSQL; SQLite has one
    writer at a time anyway)."""
    return Partner.objects.select_for_update().get(pk=partner_id)


def stored_receipt(flow: Flow) -> SignedReceipt:
    body = flow.receipt.encode("utf-8")
    return SignedReceipt(Receipt.from_bytes(body), body, flow.receipt_signature)


def _store(partner: Partner, path: Path, sha256: str, signature: str, keep: bool) -> Flow:
    folder = settings.DATA_DIR / "flows" / "in" / partner.node_id
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{sha256[:16]}.ndjson"
    if keep:
        shutil.copyfile(path, target)
    else:
        shutil.move(path, target)
    try:
        header: Header | None = _read_header(target)
    except FlowError:
        header = None
    return Flow.objects.create(
        direction=IN,
        partner=partner,
        flow_type=header.flow_type if header else "",
        sequence=None,  # set when the flow is placed in the partner's sequence
        period_start=header.period.start if header else None,
        period_end=header.period.end if header else None,
        generated=header.generated if header else None,
        record_count=header.record_count if header else 0,
        sha256=sha256,
        previous_hash=(header.previous_hash or "") if header else "",
        signature=signature,
        payload=f"in/{partner.node_id}/{target.name}",
        state=RECEIVED,
    )


def _last_applied(flow: Flow) -> Flow | None:
    return (
        Flow.objects.filter(
            direction=IN,
            partner=flow.partner,
            flow_type=flow.flow_type,
            state=APPLIED_STATE,
        )
        .order_by("-sequence")
        .first()
    )


def _check_header(flow: Flow, header: Header, today: date, release: bool) -> str | None:
    """Raises _Refusal for a flow that cannot be taken; returns a reason to hold it, or None."""
    partner = flow.partner
    if header.sender != partner.node_id:
        raise _Refusal(f"mittente {header.sender!r} is not the signer {partner.node_id!r}")
    if FLOW_TYPES[header.flow_type] == settings.NODE_ROLE:
        raise _Refusal(
            f"a {settings.NODE_ROLE} node sends {header.flow_type} flows, it does not receive them",
        )
    if header.period.end >= today:
        raise _Refusal(
            f"periodo: the period ends on {header.period.end}, which is not over yet "
            f"(today is {today} here)",
        )
    last = _last_applied(flow)
    expected = (last.sequence or 0) + 1 if last else 1
    if header.sequence < expected and last is not None:
        raise _Refusal(
            f"sequenza: {header.sequence} was applied already (last applied: {last.sequence}, "
            f"{last.period_label}); this is a replay of an old flow or reuses its number",
        )
    if header.sequence > expected and not release:
        return (
            f"sequenza: expected {expected}, received {header.sequence}: flows "
            f"{expected}–{header.sequence - 1} are missing. Held until the operator releases "
            "or refuses it"
        )
    if header.sequence == expected and last is not None and header.previous_hash != last.sha256:
        raise _Refusal(
            f"hashPrecedente does not match flow #{last.sequence} as received "
            f"({last.sha256[:12]}…): the chain is broken",
        )
    live = Flow.objects.filter(
        direction=IN,
        partner=partner,
        flow_type=header.flow_type,
        sequence=header.sequence,
        state__in=[HELD_STATE, APPLIED_STATE],
    ).exclude(pk=flow.pk)
    if live.exists():
        raise _Refusal(f"sequenza: another flow with number {header.sequence} is already held")
    return None


def _apply_records(flow: Flow) -> RecordCheck:
    """Insert every record; raises _Refusal (and the inserts are undone) on any problem."""
    model, fields, to_row = TABLES[flow.flow_type]
    flow_id, count, first, last = flow.pk, 0, 0, 0
    try:
        with transaction.atomic(), flow.path.open("rb") as stream:
            reader = FlowReader(stream, settings.NODE_ID, duplicates=False)
            with bulk_insert(model, fields) as put:
                for item in reader:
                    if item.problems:
                        raise _BadRecord
                    put(to_row(flow_id, item.line, item.record))
                    count += 1
                    first, last = first or item.line, item.line
            refresh_statistics(model)
    except (_BadRecord, IntegrityError) as failure:
        check = diagnose(flow)
        if not check.rejected_count:
            raise failure  # not a record's fault: a fault of this node, not the sender's
        raise _Refusal(
            f"{check.rejected_count} record(s) rejected: nothing was applied", check
        ) from None
    return RecordCheck(count, [Lines(first, last)] if count else [])


def _close(flow: Flow, receipt: Receipt, state: str) -> Delivery:
    signed = issue(receipt)
    flow.state = state
    flow.receipt = signed.body.decode("utf-8")
    flow.receipt_signature = signed.signature
    flow.closed = timezone.now() if state != HELD_STATE else None
    flow.save()
    return Delivery(signed, flow)


def process(flow: Flow, *, release: bool = False, today: date | None = None) -> Delivery:
    """Check and apply a stored flow; also applies the held flows that now come next."""
    with transaction.atomic():
        _locked(flow.partner_id)
        flow.refresh_from_db()
        if flow.state != RECEIVED and not (release and flow.state == HELD_STATE):
            # Another delivery of the same bytes took it while this one waited for the lock.
            return Delivery(stored_receipt(flow), flow, replay=True)
        delivery = _process(flow, release, today or timezone.localdate())
        last = delivery
        while last.flow is not None and last.flow.state == APPLIED_STATE:
            held = Flow.objects.filter(
                direction=IN,
                partner=last.flow.partner,
                flow_type=last.flow.flow_type,
                sequence=(last.flow.sequence or 0) + 1,
                state=HELD_STATE,
            ).first()
            if held is None:
                break
            last = _process(held, False, today or timezone.localdate())
            delivery.following.append(last)
    for done in (delivery, *delivery.following):
        if done.flow is not None and done.flow.state == APPLIED_STATE:
            flow_applied.send_robust(sender=Flow, flow=done.flow)
    return delivery


def _process(flow: Flow, release: bool, today: date) -> Delivery:
    try:
        header = _read_header(flow.path)
    except FlowError as error:
        return _close(flow, _receipt(flow, flow.sha256, REFUSED, str(error)), REFUSED_STATE)
    try:
        with transaction.atomic():
            hold = _check_header(flow, header, today, release)
            flow.sequence = header.sequence
            if hold is not None:
                return _close(
                    flow, _receipt(flow, flow.sha256, HELD, hold, header=header), HELD_STATE
                )
            check = _apply_records(flow)
            return _close(
                flow,
                _receipt(flow, flow.sha256, APPLIED, None, check, header=header),
                APPLIED_STATE,
            )
    except _Refusal as refusal:
        receipt = _receipt(flow, flow.sha256, REFUSED, refusal.reason, refusal.check, header)
    except FlowError as error:
        receipt = _receipt(flow, flow.sha256, REFUSED, str(error), header=header)
    flow.sequence = header.sequence
    return _close(flow, receipt, REFUSED_STATE)


def refuse(flow: Flow, reason: str) -> Delivery:
    """The operator refuses a held flow: nothing of it is applied; the sender is told why."""
    if flow.direction != IN or flow.state != HELD_STATE:
        raise ExchangeError(f"flow {flow.pk} is {flow.state}: only a held flow can be refused")
    header = _read_header(flow.path)
    return _close(
        flow,
        _receipt(flow, flow.sha256, REFUSED, f"refused by the operator: {reason}", header=header),
        REFUSED_STATE,
    )


def release(flow: Flow) -> Delivery:
    """The operator accepts a held flow despite the gap before it."""
    if flow.direction != IN or flow.state != HELD_STATE:
        raise ExchangeError(f"flow {flow.pk} is {flow.state}: only a held flow can be released")
    return process(flow, release=True)


def resume() -> list[Delivery]:
    """Process the flows stored but never processed (the node stopped in between)."""
    pending = Flow.objects.filter(direction=IN, state=RECEIVED).order_by("created")
    return [process(flow) for flow in pending]
