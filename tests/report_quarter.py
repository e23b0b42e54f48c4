# SPDX-License-Identifier: EUPL-1.2
"""A synthetic quarter (2026Q1) on the portal's Comune node (tests/portal_world.py), made row by
row so that every figure of the quarterly report is known in advance: TRUTH below.

Counts sit on both sides of the suppression threshold (4 and 5), with rows just outside the
quarter, a flow on its late day and one the day before, a discrepancy reopened and resolved
again, and reads outside working hours, so that each boundary of the report is exercised.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from interscambio.audit import actions, log
from interscambio.exchange.models import Flow, Partner
from interscambio.exchange.models.flows import ACKNOWLEDGED, APPLIED, IN, OUT, REJECTED
from interscambio.notices.models import Notice, NoticeBatch
from interscambio.reconciliation import kinds
from interscambio.reconciliation.models import Discrepancy, DiscrepancyChange, Run
from interscambio.registry.models import RegistryEvent, Resident

ROME = ZoneInfo("Europe/Rome")
QUARTER = "2026Q1"
# Figure by (section, table, row key) as columns, before suppression.
TRUTH: dict[tuple[str, str, str], tuple[object, ...]] = {
    # periods, on time, late, missing, records, rejected records, refused flows
    ("flussi", "flussi", "out-anagrafe"): (6, 3, 2, 1, 10 + 20 + 30 + 40 + 50, 1 + 2 + 50, 1),
    ("flussi", "flussi", "in-permessi"): (3, 1, 2, 0, 7 + 8 + 9, 3, 0),
    # opened, resolved, dismissed, open at the end, durations of the resolved (days)
    ("discrepanze", "discrepanze", kinds.RENEWAL): (6, 5, 0, 1, (1, 2, 3, 4, 10)),
    ("discrepanze", "discrepanze", kinds.DOMICILE): (4, 4, 0, 0, (2, 2, 6, 40)),
    ("discrepanze", "discrepanze", kinds.EXPIRED): (0, 0, 1, 2, ()),
    ("rinnovi", "rinnovi", "automatici"): (6,),
    ("rinnovi", "rinnovi", "operatore"): (1,),
    ("rinnovi", "cancellazioni_evitate", "evitate"): (5,),
    ("avvisi", "avvisi", Notice.EXPIRING): (5,),
    ("avvisi", "avvisi", Notice.EXPIRED): (4,),
    ("avvisi", "avvisi_lingue", "ar"): (2,),
    ("avvisi", "avvisi_lingue", "en"): (4,),
    ("avvisi", "avvisi_lingue", "it"): (3,),
    ("avvisi", "lotti", "lotti"): (1,),
    # without purpose, rinnovo_permesso, verifica_domicilio
    ("consultazioni", "consultazioni", "Anagrafe di Torino"): (0, 0, 1),
    ("consultazioni", "consultazioni", "INPS Torino"): (6, 0, 0),
    ("consultazioni", "consultazioni", "Ufficio Immigrazione di Torino"): (0, 5, 4),
    ("anomalie", "anomalie", "volume"): (0,),
    ("anomalie", "anomalie", "fuori_orario"): (1,),
    ("anomalie", "anomalie", "riferimenti_pratica"): (0,),
    ("anomalie", "anomalie", "molti_uffici"): (1,),
}


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=ROME)


def _flow(direction: str, kind: str, seq: int, start: date, end: date, when: date | None,
          records: int, rejected: int, state: str) -> None:  # fmt: skip
    flow = Flow.objects.create(
        direction=direction, partner=Partner.objects.get(), flow_type=kind, sequence=seq,
        period_start=start, period_end=end, record_count=records, sha256=f"{seq:064d}",
        payload=f"{kind}-{seq}.jsonl", state=state,
        receipt=json.dumps({"esito": "applicato", "numeroRifiutati": rejected}),
    )  # fmt: skip
    moment = at(when) if when else None
    Flow.objects.filter(pk=flow.pk).update(created=moment or at(end), sent=moment)


def flows() -> None:
    Partner.objects.create(node_id="TO", name="Questura di Torino", transport="file",
                           since=date(2025, 10, 22))  # fmt: skip
    d = date
    # Outside the quarter: the last fortnight of 2025.
    _flow(OUT, "anagrafe", 1, d(2025, 12, 16), d(2025, 12, 31), d(2026, 1, 2), 999, 9, ACKNOWLEDGED)
    # Refused and sent again: only the later one counts.
    _flow(OUT, "anagrafe", 2, d(2026, 1, 1), d(2026, 1, 15), d(2026, 1, 16), 500, 500, REJECTED)
    _flow(OUT, "anagrafe", 2, d(2026, 1, 1), d(2026, 1, 15), d(2026, 1, 18), 10, 1, ACKNOWLEDGED)
    _flow(OUT, "anagrafe", 3, d(2026, 1, 16), d(2026, 1, 31), d(2026, 2, 3), 20, 2, ACKNOWLEDGED)
    # Late from period end + 5 grace days + 1: sent on that day, late.
    _flow(OUT, "anagrafe", 4, d(2026, 2, 1), d(2026, 2, 15), d(2026, 2, 21), 30, 0, ACKNOWLEDGED)
    _flow(OUT, "anagrafe", 5, d(2026, 2, 16), d(2026, 2, 28), d(2026, 3, 9), 40, 0, ACKNOWLEDGED)
    # The day before it would be late; the partner's receipt refused it whole.
    _flow(OUT, "anagrafe", 6, d(2026, 3, 1), d(2026, 3, 15), d(2026, 3, 20), 50, 50, REJECTED)
    # 16-31 March: never exported. Incoming: grace 10 days.
    _flow(IN, "permessi", 1, d(2026, 1, 1), d(2026, 1, 31), d(2026, 2, 5), 7, 3, APPLIED)
    _flow(IN, "permessi", 2, d(2026, 2, 1), d(2026, 2, 28), d(2026, 3, 12), 8, 0, APPLIED)
    _flow(IN, "permessi", 3, d(2026, 3, 1), d(2026, 3, 31), d(2026, 4, 11), 9, 0, APPLIED)


def _discrepancy(n: int, kind: str, opened: datetime, steps: list[tuple[str, datetime]]) -> None:
    run = Run.objects.get_or_create(trigger=Run.ON_DEMAND, reference_date=date(2026, 1, 1))[0]
    found = Discrepancy.objects.create(
        kind=kind, key=f"{kind}:{n}", severity=kinds.KINDS[kind].severity, registry_id="R0001",
        summary="sintetica", rule="test", run=run,
    )  # fmt: skip
    history, before = [(kinds.OPEN, opened), *steps], ""
    for to, when in history:
        change = DiscrepancyChange.objects.create(discrepancy=found, actor="test", action=to,
                                                  from_status=before, to_status=to)  # fmt: skip
        DiscrepancyChange.objects.filter(pk=change.pk).update(at=when)
        before = to
    last = history[-1]
    closed = last[1] if last[0] in (kinds.RESOLVED, kinds.DISMISSED) else None
    Discrepancy.objects.filter(pk=found.pk).update(opened=opened, status=last[0], closed=closed)


def discrepancies() -> None:
    day = at(date(2026, 1, 10))
    for n, days in enumerate((1, 2, 3, 4, 10)):
        _discrepancy(n, kinds.RENEWAL, day, [(kinds.RESOLVED, day + timedelta(days=days))])
    _discrepancy(5, kinds.RENEWAL, day, [(kinds.RESOLVED, at(date(2026, 4, 2)))])
    for n, days in enumerate((2, 2, 6)):
        _discrepancy(10 + n, kinds.DOMICILE, day, [(kinds.RESOLVED, day + timedelta(days=days))])
    # Resolved, reopened, resolved again: once, by the last resolution.
    again = [(kinds.RESOLVED, day + timedelta(days=1)), (kinds.OPEN, day + timedelta(days=20)),
             (kinds.RESOLVED, day + timedelta(days=40))]  # fmt: skip
    _discrepancy(13, kinds.DOMICILE, day, again)
    december = at(date(2025, 12, 1))
    _discrepancy(20, kinds.EXPIRED, december, [(kinds.IN_REVIEW, at(date(2026, 2, 1)))])
    _discrepancy(21, kinds.EXPIRED, december, [])
    _discrepancy(22, kinds.EXPIRED, december, [(kinds.DISMISSED, at(date(2026, 2, 3)))])


def _renewal(n: int, day: date, rule: str | None, expiry: str) -> None:
    fonte = {"flusso": 1, "idRecord": f"P{n}", "regola": rule} if rule else None
    changes = {
        "prima": {"title_expiry_date": expiry},
        "dopo": {},
        **({"fonte": fonte} if fonte else {}),
    }
    person = Resident.objects.get(registry_id="R0001")
    RegistryEvent.objects.create(
        event_id=f"REN{n}",
        resident=person,
        kind="variazione",
        reason_code="titolo_soggiorno",
        date=day,
        changes=changes,
    )


def residents() -> None:
    # Six by reconciliation, five of them with the permit on record already expired.
    for n in range(6):
        _renewal(n, date(2026, 2, 1 + n), "codice_fiscale", "2026-01-15" if n < 5 else "2026-06-30")
    _renewal(6, date(2026, 3, 31), "operatore:operatore", "2026-03-31")  # same day: not expired
    _renewal(7, date(2026, 4, 1), "codice_fiscale", "2026-01-15")  # the next quarter
    _renewal(8, date(2026, 2, 10), None, "2026-01-15")  # at the counter: not the exchange's
    batch = NoticeBatch.objects.create(
        sent_on=date(2026, 2, 2), generated_by="test", kinds="in_scadenza", within_days=60,
        letters=5, pdf_path="x.pdf", pdf_sha256="0" * 64, csv_path="x.csv", csv_sha256="0" * 64,
    )  # fmt: skip
    people = list(Resident.objects.order_by("registry_id"))
    sent = [(Notice.EXPIRING, lang, date(2026, 2, 2)) for lang in ("it", "it", "it", "ar", "ar")]
    sent += [(Notice.EXPIRED, "en", date(2026, 3, 1 + n)) for n in range(4)]
    sent += [(Notice.EXPIRED, "en", date(2026, 4, 1))]
    for n, (kind, language, day) in enumerate(sent):
        Notice.objects.create(resident=people[n % 3], kind=kind, language=language, sent_on=day,
                              permit_expiry=date(2026, 5, 1) + timedelta(days=n),
                              batch=batch if kind == Notice.EXPIRING else None)  # fmt: skip


def _read(office: str, user: str, when: datetime, purpose: str, person: str) -> None:
    action = actions.VERIFY if not purpose else actions.VIEW
    log.append(action, user=user, office=office, role="r", purpose=purpose,
               case_reference="PR-2026-1" if purpose else "", records=[actions.person(person)],
               at=when)  # fmt: skip


def consultations() -> None:
    ui, inps, ana = "Ufficio Immigrazione di Torino", "INPS Torino", "Anagrafe di Torino"
    monday = date(2026, 1, 12)
    for n in range(3):
        _read(ui, "agente", at(monday + timedelta(days=n)), "rinnovo_permesso", "R0001")
    # Sunday 11 January: one finding of reads outside working hours.
    _read(ui, "agente", at(date(2026, 1, 11)), "rinnovo_permesso", "R0002")
    _read(ui, "agente", at(date(2026, 1, 11), 11), "rinnovo_permesso", "R0002")
    for n in range(4):
        _read(ui, "agente", at(monday + timedelta(days=7 + n)), "verifica_domicilio", "R0002")
    for n in range(6):
        _read(
            inps,
            "inps.client",
            at(monday + timedelta(days=n % 5)),
            "",
            "R0001" if n == 0 else "R0002",
        )
    _read(ana, "admin_anagrafe", at(monday), "verifica_domicilio", "R0001")  # the third office
    # Outside the quarter, and not a read.
    _read(ui, "agente", datetime(2025, 12, 31, 23, 30, tzinfo=ROME), "rinnovo_permesso", "R0003")
    _read(ui, "agente", at(date(2026, 4, 1)), "rinnovo_permesso", "R0003")
    log.append(actions.LOGIN, user="agente", office=ui, at=at(monday))


def build() -> None:
    flows()
    discrepancies()
    residents()
    consultations()
