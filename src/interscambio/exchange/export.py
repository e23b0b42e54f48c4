# SPDX-License-Identifier: EUPL-1.2
"""Building a node's flow for a period from its database, signed and queued for its partner.

Records stream from the database in keyset order (date, then id), so memory stays flat
whatever the period holds, and the same data always gives the same records in the same order.
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from interscambio.core.flows import FLOW_TYPES, Header, Period, write_flow
from interscambio.core.flows.calendar import ended_periods
from interscambio.core.trust import sign_file
from interscambio.exchange.errors import ExchangeError
from interscambio.exchange.models import Flow, Partner, ReceivedRegistryEvent
from interscambio.exchange.models.flows import LIVE_OUT, OUT, QUEUED
from interscambio.exchange.trust import node_identity
from interscambio.permits.models import Permit
from interscambio.registry.models import Citizenship, RegistryEvent, Street

T = TypeVar("T")
BATCH = 2000


def outgoing_type() -> str:
    """The flow type this node sends: the registry flow from a Comune, permits from a Questura."""
    return next(kind for kind, role in FLOW_TYPES.items() if role == settings.NODE_ROLE)


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


# --- the registry flow (Comune -> Questura) ---------------------------------------------------

EVENT_FIELDS = (
    "event_id",
    "kind",
    "reason_code",
    "date",
    "changes",
    "resident_id",
    "resident__registry_id",
    "resident__codice_fiscale",
    "resident__surname",
    "resident__given_names",
    "resident__sex",
    "resident__birth_date",
    "resident__birth_place",
    "resident__birth_place_code",
    "resident__street__code",
    "resident__civic_number",
    "resident__civic_suffix",
    "resident__staircase",
    "resident__floor",
    "resident__flat",
    "resident__title_kind",
    "resident__title_number",
    "resident__title_questura_code",
    "resident__title_issue_date",
    "resident__title_expiry_date",
    "resident__title_renewal_date",
)


def _registry_events(period: Period) -> Any:
    return RegistryEvent.objects.filter(date__range=(period.start, period.end))


def _address(streets: dict[str, str], code: str, civic: int, **rest: str | None) -> dict[str, Any]:
    return {
        "codiceVia": code,
        "denominazioneVia": streets.get(code, code),
        "civico": civic,
        **{name: value or None for name, value in rest.items()},
    }


def _previous_address(
    streets: dict[str, str], changes: dict[str, Any], current: dict[str, Any]
) -> dict[str, Any] | None:
    """The address before a change of address, from the event's {field: [before, after]}."""
    street, civic = changes.get("codice_via"), changes.get("civico")
    if not isinstance(street, list) and not isinstance(civic, list):
        return None
    code = str(street[0]) if isinstance(street, list) and street[0] else current["codiceVia"]
    number = civic[0] if isinstance(civic, list) and civic[0] else current["civico"]
    try:
        return _address(streets, code, int(number))
    except (TypeError, ValueError):
        return None


def _registry_record(
    row: dict[str, Any], citizenships: list[str], streets: dict[str, str]
) -> dict[str, Any]:
    address = _address(
        streets,
        row["resident__street__code"],
        row["resident__civic_number"],
        esponente=row["resident__civic_suffix"],
        scala=row["resident__staircase"],
        piano=row["resident__floor"],
        interno=row["resident__flat"],
    )
    changes = row["changes"] or {}
    title = None
    if row["resident__title_kind"]:
        title = {
            "tipo": row["resident__title_kind"],
            "numero": row["resident__title_number"] or None,
            "questura": row["resident__title_questura_code"] or None,
            "dataRilascio": _iso(row["resident__title_issue_date"]),
            "dataScadenza": _iso(row["resident__title_expiry_date"]),
            "dataRinnovo": _iso(row["resident__title_renewal_date"]),
        }
    return {
        "idRecord": row["event_id"],
        "tipoEvento": row["kind"],
        "codiceMotivo": row["reason_code"],
        "dataEvento": row["date"].isoformat(),
        "persona": {
            "idAnagrafe": row["resident__registry_id"],
            "codiceFiscale": row["resident__codice_fiscale"],
            "cognome": row["resident__surname"],
            "nome": row["resident__given_names"],
            "sesso": row["resident__sex"],
            "dataNascita": row["resident__birth_date"].isoformat(),
            "luogoNascita": row["resident__birth_place"],
            "codiceLuogoNascita": row["resident__birth_place_code"],
            "cittadinanze": citizenships,
        },
        "indirizzo": address,
        "indirizzoPrecedente": _previous_address(streets, changes, address),
        "titoloSoggiorno": title,
        "variazioni": changes or None,
    }


def registry_records(period: Period) -> Iterator[dict[str, Any]]:
    streets = {
        code: f"{dug} {name}"
        for code, dug, name in Street.objects.values_list("code", "dug", "name")
    }
    rows = _registry_events(period).order_by("date", "event_id").values(*EVENT_FIELDS)
    for batch in _batches(rows.iterator(chunk_size=BATCH), BATCH):
        held: dict[int, list[str]] = {}
        for resident, country in (
            Citizenship.objects.filter(resident_id__in={r["resident_id"] for r in batch})
            .order_by("resident_id", "rank")
            .values_list("resident_id", "country")
        ):
            held.setdefault(resident, []).append(country)
        for row in batch:
            yield _registry_record(row, held.get(row["resident_id"], []), streets)


# --- the permit flow (Questura -> Comune) -----------------------------------------------------

PERMIT_FIELDS = (
    "number",
    "kind",
    "reason",
    "channel",
    "application_date",
    "issue_date",
    "delivery_date",
    "expiry_date",
    "previous_number",
    "holder_cui",
    "codice_fiscale",
    "surname",
    "given_names",
    "sex",
    "birth_date",
    "birth_place",
    "citizenship",
    "domicile_address",
    "domicile_comune",
    "domicile_comune_code",
)


def _concerned(partner: Partner) -> Q:
    """Permits of people domiciled in the Comune or known to be resident there (its flows)."""
    reported = ReceivedRegistryEvent.objects.filter(flow__partner=partner).values("codice_fiscale")
    return Q(domicile_comune_code=partner.node_id) | Q(codice_fiscale__in=reported)


def _permits(partner: Partner, period: Period) -> tuple[Any, Any]:
    window = (period.start, period.end)
    concerned = Permit.objects.filter(_concerned(partner))
    return concerned.filter(issue_date__range=window), concerned.filter(delivery_date__range=window)


def _permit_record(row: dict[str, Any], event: str) -> dict[str, Any]:
    return {
        "idRecord": f"{row['number']}:{event}",
        "evento": event,
        "numeroPermesso": row["number"],
        "tipo": row["kind"],
        "motivo": row["reason"],
        "canale": row["channel"],
        "dataDomanda": row["application_date"].isoformat(),
        "dataRilascio": row["issue_date"].isoformat(),
        "dataConsegna": _iso(row["delivery_date"]),
        "dataScadenza": _iso(row["expiry_date"]),
        "numeroPermessoPrecedente": row["previous_number"] or None,
        "titolare": {
            "cui": row["holder_cui"],
            "codiceFiscale": row["codice_fiscale"] or None,
            "cognome": row["surname"],
            "nome": row["given_names"],
            "sesso": row["sex"],
            "dataNascita": row["birth_date"].isoformat(),
            "luogoNascita": row["birth_place"] or None,
            "cittadinanza": row["citizenship"],
        },
        "domicilio": {
            "indirizzo": row["domicile_address"],
            "comune": row["domicile_comune"],
            "codiceComune": row["domicile_comune_code"],
        },
    }


def permit_records(partner: Partner, period: Period) -> Iterator[dict[str, Any]]:
    """Issues first, then deliveries, each in (date, number) order."""
    issued, delivered = _permits(partner, period)
    for rows, event in ((issued, "rilascio"), (delivered, "consegna")):
        date_field = "issue_date" if event == "rilascio" else "delivery_date"
        ordered = rows.order_by(date_field, "number").values(*PERMIT_FIELDS)
        for row in ordered.iterator(chunk_size=BATCH):
            yield _permit_record(row, event)


def record_count(partner: Partner, period: Period) -> int:
    if outgoing_type() == "anagrafe":
        return int(_registry_events(period).count())
    issued, delivered = _permits(partner, period)
    return int(issued.count() + delivered.count())


def records(partner: Partner, period: Period) -> Iterator[dict[str, Any]]:
    if outgoing_type() == "anagrafe":
        return registry_records(period)
    return permit_records(partner, period)


# --- the flow ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Placement:
    sequence: int
    previous_hash: str | None


def _placement(partner: Partner, flow_type: str) -> Placement:
    last = (
        Flow.objects.filter(direction=OUT, partner=partner, flow_type=flow_type, state__in=LIVE_OUT)
        .order_by("-sequence")
        .first()
    )
    if last is None or last.sequence is None:
        return Placement(1, None)
    return Placement(last.sequence + 1, last.sha256)


def due_periods(partner: Partner, today: date) -> list[Period]:
    """Periods since the partner's start that have ended and have no live flow yet."""
    flow_type = outgoing_type()
    covered = set(
        Flow.objects.filter(
            direction=OUT, partner=partner, flow_type=flow_type, state__in=LIVE_OUT
        ).values_list("period_start", "period_end")
    )
    return [
        period
        for period in ended_periods(flow_type, partner.since, today)
        if (period.start, period.end) not in covered
    ]


def export_flow(
    partner: Partner,
    period: Period,
    *,
    generated: datetime | None = None,
    today: date | None = None,
) -> Flow:
    """Write, sign and queue the flow of `period` for `partner`; returns the queued Flow."""
    flow_type = outgoing_type()
    today = today or timezone.localdate()
    if period.end >= today:
        raise ExchangeError(
            f"the period {period.start} – {period.end} is not over yet (today is {today}): "
            "a flow is exported once its period has ended"
        )
    identity = node_identity()
    folder = settings.DATA_DIR / "flows" / "out" / partner.node_id
    folder.mkdir(parents=True, exist_ok=True)
    with transaction.atomic():
        # Locks the partner row, so two exports at once cannot take the same sequence number.
        Partner.objects.select_for_update().get(pk=partner.pk)
        overlapping = Flow.objects.filter(
            direction=OUT,
            partner=partner,
            flow_type=flow_type,
            state__in=LIVE_OUT,
            period_start__lte=period.end,
            period_end__gte=period.start,
        ).first()
        if overlapping is not None:
            raise ExchangeError(
                f"{overlapping.period_label} was exported already as {flow_type} flow "
                f"#{overlapping.sequence} ({overlapping.state}); a period is sent once"
            )
        place = _placement(partner, flow_type)
        header = Header(
            flow_type=flow_type,
            sender=settings.NODE_ID,
            receiver=partner.node_id,
            period=period,
            sequence=place.sequence,
            generated=(generated or timezone.now()).replace(microsecond=0),
            record_count=record_count(partner, period),
            previous_hash=place.previous_hash,
        )
        with tempfile.NamedTemporaryFile(dir=folder, suffix=".ndjson", delete=False) as handle:
            scratch = Path(handle.name)
        try:
            digest = write_flow(scratch, header, records(partner, period))
            signature = sign_file(identity, scratch)
            name = (
                f"{flow_type}-{header.sender}-{header.receiver}-{header.sequence:06d}"
                f"-{digest[:12]}.ndjson"
            )
            scratch.replace(folder / name)
        except BaseException:
            scratch.unlink(missing_ok=True)
            raise
        return Flow.objects.create(
            direction=OUT,
            partner=partner,
            flow_type=flow_type,
            sequence=header.sequence,
            period_start=period.start,
            period_end=period.end,
            generated=header.generated,
            record_count=header.record_count,
            sha256=digest,
            previous_hash=header.previous_hash or "",
            signature=signature,
            payload=f"out/{partner.node_id}/{name}",
            state=QUEUED,
            next_attempt=timezone.now(),
        )
