# SPDX-License-Identifier: EUPL-1.2
"""The outbox: queued flows go to their partner, in sequence order, retried until answered.

A partner that cannot be reached gets the flow later: the attempt is counted, the error kept
and the next attempt pushed back (1 minute, doubling up to 6 hours). Nothing is dropped: a
flow leaves the queue only with a receipt (API) or once written to the partner's folder
(files), and a flow of a partner is not sent before the ones numbered before it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from interscambio.core.flows.receipt import APPLIED, HELD, Receipt
from interscambio.exchange import receipts
from interscambio.exchange.errors import ExchangeError
from interscambio.exchange.importing import Delivery, receive
from interscambio.exchange.models import Flow, Partner
from interscambio.exchange.models.flows import ACKNOWLEDGED, OUT, QUEUED, REJECTED, SENT
from interscambio.exchange.models.flows import HELD as HELD_STATE
from interscambio.exchange.models.partners import API, FILE
from interscambio.exchange.transport import TransportError, files
from interscambio.exchange.transport.api import post_flow
from interscambio.exchange.trust import node_identity

FIRST_RETRY = timedelta(minutes=1)
LAST_RETRY = timedelta(hours=6)
# A held flow is asked about again (API) at this pace, until the partner's operator decides.
HELD_RECHECK = timedelta(hours=1)


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LAST_RETRY)


@dataclass(frozen=True)
class Attempt:
    flow: Flow
    ok: bool
    message: str


def record_receipt(flow: Flow, receipt: Receipt, body: bytes, signature: str) -> None:
    """Update an outgoing flow with the partner's (verified) receipt."""
    if receipt.flow.sha256 != flow.sha256:
        raise ExchangeError(
            f"the receipt answers flow {receipt.flow.sha256[:12]}…, not {flow.sha256[:12]}…"
        )
    flow.receipt = body.decode("utf-8")
    flow.receipt_signature = signature
    now = timezone.now()
    if receipt.outcome == APPLIED:
        flow.state, flow.closed, flow.next_attempt, flow.last_error = ACKNOWLEDGED, now, None, ""
    elif receipt.outcome == HELD:
        flow.state, flow.last_error = HELD_STATE, receipt.reason or ""
        flow.next_attempt = now + HELD_RECHECK
    else:
        flow.state, flow.closed, flow.next_attempt = REJECTED, now, None
        flow.last_error = receipt.summary()
    flow.save()


def _send(flow: Flow) -> str:
    partner = flow.partner
    if partner.transport == API:
        answer = post_flow(node_identity(), partner.url, partner.node_id, flow.path, flow.signature)
        receipt = receipts.verify(partner, answer.body, answer.signature)
        record_receipt(flow, receipt, answer.body, answer.signature)
        return receipt.summary()
    files.put_signed(partner.outbox_dir, flow.file_name, flow.path, flow.signature)
    flow.state, flow.next_attempt, flow.last_error = SENT, None, ""
    flow.save()
    return f"written to {partner.outbox_dir}"


def waiting() -> Iterator[Flow]:
    """Every flow still to send (or to ask about again), lane by lane in sequence order."""
    flows = Flow.objects.filter(direction=OUT, state__in=[QUEUED, HELD_STATE])
    return iter(
        flows.select_related("partner").order_by("partner__node_id", "flow_type", "sequence")
    )


def send_due(now: datetime | None = None, *, ignore_wait: bool = False) -> list[Attempt]:
    """Send every flow whose turn has come (every waiting one with `ignore_wait`); a failure
    stops that partner's later flows."""
    now = now or timezone.now()
    blocked: set[tuple[int, str]] = set()
    attempts = []
    for flow in waiting():
        lane = (flow.partner_id, flow.flow_type)
        if lane in blocked or not flow.partner.active:
            continue
        not_yet = flow.next_attempt is None or flow.next_attempt > now
        if not_yet and not ignore_wait:
            if flow.state == QUEUED:
                blocked.add(lane)  # a later flow never overtakes one waiting to be retried
            continue
        flow.attempts += 1
        flow.sent = now
        try:
            message = _send(flow)
        except (TransportError, ExchangeError) as error:
            flow.last_error = str(error)
            flow.next_attempt = now + backoff(flow.attempts)
            flow.save()
            blocked.add(lane)
            attempts.append(
                Attempt(flow, False, f"{error}; next attempt {flow.next_attempt:%Y-%m-%d %H:%M}")
            )
            continue
        if flow.state in (QUEUED, HELD_STATE):
            blocked.add(lane)
        attempts.append(Attempt(flow, flow.state != REJECTED, message))
    return attempts


@dataclass(frozen=True)
class Collected:
    name: str
    message: str


def file_partners() -> list[Partner]:
    """Active partners that send by file or have an inbox (one may send by API, receive by file)."""
    partners = Partner.objects.filter(active=True)
    return [p for p in partners if p.transport == FILE or p.inbox]


def collect(partner: Partner) -> list[Collected]:
    """Take in what a partner left in its inbox folder: flows and receipts."""
    done = []
    for arrival in files.arrivals(partner.inbox_dir):
        name = arrival.path.name
        if arrival.is_receipt:
            done.append(Collected(name, _take_receipt(partner, arrival)))
            continue
        delivery = receive(arrival.path, arrival.signature, sender=partner)
        answer_by_file(partner, delivery, name, came_by_file=True)
        arrival.done()
        replay = " (again: same receipt)" if delivery.replay else ""
        done.append(Collected(name, delivery.signed.receipt.summary() + replay))
        for later in delivery.following:
            done.append(
                Collected(
                    later.flow.file_name if later.flow else "?", later.signed.receipt.summary()
                )
            )
    return done


def _receipt_name(flow_name: str) -> str:
    return flow_name.removesuffix(files.FLOW_SUFFIX) + files.RECEIPT_SUFFIX


def answer_by_file(
    partner: Partner,
    delivery: Delivery,
    flow_name: str | None = None,
    *,
    came_by_file: bool = False,
) -> None:
    """Put the receipt (and those of held flows it unblocked) in the partner's folder, for a
    flow that came by file or a partner that works by file; an API partner gets its receipt in
    the answer, or by asking again for a held flow."""
    if not came_by_file and partner.transport != FILE:
        return
    pending = [(delivery, flow_name), *((later, None) for later in delivery.following)]
    for item, name in pending:
        name = name or (item.flow.file_name if item.flow else None)
        if name:
            files.put_signed(
                partner.outbox_dir, _receipt_name(name), item.signed.body, item.signed.signature
            )


def _take_receipt(partner: Partner, arrival: files.Arrival) -> str:
    body = arrival.path.read_bytes()
    try:
        receipt = receipts.verify(partner, body, arrival.signature)
        flow = Flow.objects.filter(
            direction=OUT, partner=partner, sha256=receipt.flow.sha256
        ).first()
        if flow is None:
            raise ExchangeError(
                f"no flow sent to {partner.node_id} has hash {receipt.flow.sha256[:12]}…"
            )
        record_receipt(flow, receipt, body, arrival.signature)
    except ExchangeError as error:
        arrival.done()
        return f"receipt not taken: {error}"
    arrival.done()
    return f"receipt for #{flow.sequence}: {receipt.summary()}"
