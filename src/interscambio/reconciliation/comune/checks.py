# SPDX-License-Identifier: EUPL-1.2
"""What a Comune concludes from a resident and the newest permit attributed to them.

- a newer permit than the title the registry holds: a renewal to record (or, for a person
  cancelled for not renewing while the permit was valid, a cancellation to review);
- a domicile declared to the Questura that is not the registry's building, or in another
  comune: a domicile discrepancy;
- identity data that differ (spelling, birth date, sex, citizenship, code): a personal data
  discrepancy.
Each check also says which keys it examined and found clear, so that a discrepancy that no
longer holds is closed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from interscambio.core.addresses import Gazetteer, compare
from interscambio.core.codes import CANCELLATION_REASONS, EU_MEMBER_STATES
from interscambio.core.identity.codice_fiscale import is_provisional, same_code
from interscambio.linkage.names import normalize
from interscambio.reconciliation import kinds
from interscambio.reconciliation.comune.attribution import Attribution
from interscambio.reconciliation.comune.sides import Person, ReceivedHolder
from interscambio.reconciliation.findings import Finding, key_of

NOT_RENEWED = "7"  # ANPR table 15: cancelled for not renewing the dwelling declaration or permit


@dataclass
class Outcome:
    findings: list[Finding] = field(default_factory=list)
    cleared: list[str] = field(default_factory=list)
    renewal: ReceivedHolder | None = None  # a renewal the registry does not hold yet

    def add(self, finding: Finding | None, kind: str, subject: str) -> None:
        if finding is None:
            self.cleared.append(key_of(kind, subject))
        else:
            self.findings.append(finding)


def person_evidence(person: Person) -> dict[str, Any]:
    return {
        "idAnagrafe": person.registry_id,
        "codiceFiscale": person.codice_fiscale,
        "cognome": person.surname,
        "nome": person.given_names,
        "sesso": person.sex,
        "dataNascita": person.birth_date.isoformat(),
        "cittadinanze": list(person.citizenships),
        "stato": person.status,
        "indirizzo": person.address,
        "titolo": {
            "numero": person.title_number,
            "dataRilascio": _iso(person.title_issue_date),
            "dataScadenza": _iso(person.title_expiry_date),
        },
    }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def is_newer(permit: ReceivedHolder, person: Person) -> bool:
    if permit.number == person.title_number:
        return False
    return person.title_issue_date is None or permit.issue_date > person.title_issue_date


def examine(
    person: Person,
    permit: ReceivedHolder,
    attribution: Attribution,
    *,
    node_id: str,
    gazetteer: Gazetteer,
) -> Outcome:
    outcome = Outcome()
    if any(c in EU_MEMBER_STATES for c in person.citizenships):
        return outcome  # an EU or Italian citizen (naturalized): a permit is no longer theirs
    evidence = {
        "anagrafe": person_evidence(person),
        "permesso": permit.as_evidence(),
        "collegamento": {
            "regola": attribution.rule,
            "punteggio": attribution.score,
            "spiegazione": attribution.explanation,
        },
    }
    subject = person.registry_id
    renewal = _renewal(person, permit, evidence)
    if renewal is not None and person.resident:
        outcome.renewal = permit
    outcome.add(renewal, kinds.RENEWAL, subject)
    if person.resident:
        outcome.add(
            _domicile(person, permit, evidence, node_id, gazetteer), kinds.DOMICILE, subject
        )
        outcome.add(_personal_data(person, permit, evidence), kinds.PERSONAL_DATA, subject)
    return outcome


def _base(
    kind: str,
    person: Person,
    permit: ReceivedHolder,
    summary: str,
    rule: str,
    evidence: dict[str, Any],
) -> Finding:
    return Finding(
        kind=kind,
        subject=person.registry_id,
        summary=summary,
        rule=rule,
        registry_id=person.registry_id,
        permit_number=permit.number,
        holder_cui=permit.holder_cui,
        evidence=evidence,
        flow_id=permit.flow_id,
        record_id=permit.record_id,
    )


def _renewal(person: Person, permit: ReceivedHolder, evidence: dict[str, Any]) -> Finding | None:
    if not is_newer(permit, person):
        return None
    held = person.title_number or "nessun titolo"
    summary = (
        f"La Questura ha rilasciato il permesso {permit.number} il {permit.issue_date:%d/%m/%Y}; "
        f"l'anagrafe registra {held}"
    )
    if person.resident:
        return _base(kinds.RENEWAL, person, permit, summary, "permesso_piu_recente", evidence)
    cancelled = person.cancellation_date
    valid_then = permit.expiry_date is None or cancelled is None or permit.expiry_date >= cancelled
    if person.cancellation_reason != NOT_RENEWED or not valid_then:
        return None
    reason = CANCELLATION_REASONS[NOT_RENEWED].lower()
    finding = _base(
        kinds.RENEWAL,
        person,
        permit,
        f"{summary}; cancellato il {cancelled:%d/%m/%Y} per {reason}" if cancelled else summary,
        "cancellato_per_mancato_rinnovo",
        evidence,
    )
    finding.severity = kinds.HIGH
    return finding


def _domicile(
    person: Person,
    permit: ReceivedHolder,
    evidence: dict[str, Any],
    node_id: str,
    gazetteer: Gazetteer,
) -> Finding | None:
    if permit.domicile_comune_code and permit.domicile_comune_code != node_id:
        summary = f"Domicilio dichiarato in Questura in un altro comune: {permit.domicile_comune}"
        return _base(kinds.DOMICILE, person, permit, summary, "domicilio_altro_comune", evidence)
    if not permit.domicile_address:
        return None
    registry = gazetteer.resolve(person.address)
    declared = gazetteer.resolve(permit.domicile_address)
    found = compare(registry, declared)
    if found == "same_building":
        return None
    evidence = {**evidence, "confrontoIndirizzi": found, "domicilioRisolto": declared.street}
    if found == "unknown":
        finding = _base(
            kinds.DOMICILE,
            person,
            permit,
            f"Domicilio dichiarato non riconosciuto nello stradario: {permit.domicile_address}",
            "domicilio_non_risolto",
            evidence,
        )
        finding.severity = kinds.LOW
        return finding
    summary = f"Domicilio dichiarato «{permit.domicile_address}», residenza «{person.address}»"
    return _base(kinds.DOMICILE, person, permit, summary, "domicilio_diverso", evidence)


def _personal_data(
    person: Person, permit: ReceivedHolder, evidence: dict[str, Any]
) -> Finding | None:
    differences = []
    for label, ours, theirs in (
        ("cognome", person.surname, permit.surname),
        ("nome", person.given_names, permit.given_names),
    ):
        if normalize(ours) != normalize(theirs):
            differences.append(label)
    if permit.birth_date != person.birth_date:
        differences.append("dataNascita")
    if permit.sex and permit.sex != person.sex:
        differences.append("sesso")
    if permit.citizenship and permit.citizenship not in person.citizenships:
        differences.append("cittadinanza")
    theirs = permit.codice_fiscale
    comparable = theirs and not is_provisional(theirs) and person.codice_fiscale
    if comparable and not same_code(theirs, person.codice_fiscale):
        differences.append("codiceFiscale")
    if not differences:
        return None
    return _base(
        kinds.PERSONAL_DATA,
        person,
        permit,
        "Dati diversi tra anagrafe e permesso: " + ", ".join(differences),
        "dati_diversi",
        {**evidence, "differenze": differences},
    )
