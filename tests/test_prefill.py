# SPDX-License-Identifier: EUPL-1.2
"""Pre-filled permit applications: the data and only it, the three formats, the refusals, the
access log entry of each export, and who may export, from the command and from the portal."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from interscambio.audit import actions
from interscambio.audit.models import LogEntry
from interscambio.prefill import pdf, writers
from interscambio.prefill.application import application
from interscambio.registry.models import Citizenship, Family, Resident, Street
from tests import portal_world
from tests.portal_world import login

PURPOSE, CASE = "rinnovo_permesso", "PRAT/2026/0042"
DAY = date(2026, 1, 20)
COMMON = ["--purpose", PURPOSE, "--case", CASE]


def _resident(registry_id: str, code: str, given: str, family: Family, **fields: Any) -> Resident:
    values: dict[str, Any] = {
        "surname": "BENNANI",
        "sex": "F",
        "birth_date": date(2012, 9, 3),
        "birth_place": "TORINO",
        "birth_place_code": "L219",
        "status": "residente",
        "registration_date": date(2012, 9, 10),
        "family_relation": "3",
        "street": Street.objects.get(code="00102"),
        "civic_number": 12,
        **fields,
    }
    person = Resident.objects.create(
        registry_id=registry_id, codice_fiscale=code, given_names=given, family=family, **values
    )
    Citizenship.objects.create(resident=person, country="MAR", rank=0)
    return person


@pytest.fixture
def household(world: portal_world.World) -> portal_world.World:
    """R0001's family F0001 also holds a daughter who moved away (cancelled), and a neighbour
    of another family lives at the same civic number; R0009 is a cancelled resident."""
    family = Family.objects.get(code="F0001")
    _resident(
        "R0004", "BNNSMR12P43L219X", "SAMIRA", family,
        status="cancellato", cancellation_date=date(2025, 3, 1), cancellation_reason="3",
    )  # fmt: skip
    _resident(
        "R0005", "ZTNKRM90A01Z330B", "KARIM", Family.objects.create(code="F0005"),
        surname="ZITOUNI", family_relation="1",
    )  # fmt: skip
    _resident(
        "R0009", "LMRHSN80A01Z330C", "HASSAN", Family.objects.create(code="F0009"),
        surname="EL AMRANI", status="cancellato", cancellation_date=date(2024, 1, 5),
        cancellation_reason="5", family_relation="1",
    )  # fmt: skip
    street = Street.objects.get(code="00102")
    street.postal_code = "10152"
    street.save(update_fields=["postal_code"])
    Resident.objects.filter(registry_id="R0001").update(civic_suffix="B", flat="4")
    return world


def _data() -> dict[str, Any]:
    resident = Resident.objects.select_related("street", "family").get(registry_id="R0001")
    return application(resident, DAY)


def entries() -> list[dict[str, Any]]:
    return [e.entry for e in LogEntry.objects.filter(action=actions.EXPORT).order_by("index")]


def test_the_application_holds_what_the_kit_asks_and_no_more(household: Any) -> None:
    data = _data()
    assert set(data) == {
        "formato", "data_estrazione", "richiedente", "residenza", "permesso", "familiari",
    }  # fmt: skip
    assert data["richiedente"] == {
        "cognome": "BENNANI",
        "nome": "MOHAMMED",
        "sesso": "M",
        "data_nascita": "1985-03-12",
        "luogo_nascita": "MAROCCO",
        "cittadinanze": ["MAR"],
        "codice_fiscale": "BNNMHM85C12Z330T",
    }
    assert data["residenza"] == {
        "indirizzo": "CORSO REGINA MARGHERITA 12/B, int. 4",
        "via": "CORSO REGINA MARGHERITA",
        "civico": "12/B",
        "scala": "",
        "piano": "",
        "interno": "4",
        "cap": "10152",
        "comune": "Torino",
        "provincia": "TO",
    }
    assert data["permesso"] == {
        "tipo": "Permesso di soggiorno",
        "numero": "TOR0001",
        "questura": "TORINO",
        "data_rilascio": "2024-02-01",
        "data_scadenza": "2026-02-01",
    }
    # The wife lives with him; the daughter who moved away and the neighbour do not.
    assert data["familiari"] == [
        {
            "relazione": "Marito/moglie",
            "cognome": "BENNANI",
            "nome": "FATIMA",
            "data_nascita": "1988-04-12",
            "cittadinanze": ["MAR"],
            "codice_fiscale": "BNNFTM88D52Z330K",
        }
    ]
    flat = json.dumps(data)
    for absent in ('"R0001"', '"R0002"', "VIA GARIBALDI", "iscrizione", "SAMIRA", "ZITOUNI"):
        assert absent not in flat, absent


def test_the_csv_has_the_applicant_then_each_member_with_a_role(household: Any) -> None:
    raw = writers.to_csv(_data())
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert [r["ruolo"] for r in rows] == ["richiedente", "familiare"]
    assert list(rows[0]) == list(writers.COLUMNS)
    applicant, wife = rows
    assert applicant["codice_fiscale"] == "BNNMHM85C12Z330T"
    assert applicant["data_nascita"] == "12/03/1985"
    assert applicant["civico"] == "12/B" and applicant["cap"] == "10152"
    assert applicant["permesso_data_scadenza"] == "01/02/2026"
    assert wife["nome"] == "FATIMA" and wife["relazione"] == "Marito/moglie"
    assert wife["via"] == "" and wife["permesso_numero"] == ""


def _text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def _pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))  # type: ignore[union-attr]


def test_the_pdf_is_one_labelled_page_whose_codes_read_back(household: Any, tmp_path: Path) -> None:
    path = tmp_path / "domanda.pdf"
    path.write_bytes(pdf.to_pdf(_data(), CASE))
    assert _pages(path) == 1
    text = _text(path)
    assert "BNNMHM85C12Z330T" in text and "BNNFTM88D52Z330K" in text
    for label in ("Codice fiscale", "Data di scadenza", "Familiari conviventi", "Provincia"):
        assert label in text, label
    assert "01/02/2026" in text and CASE in text and "Maschio" in text


def test_a_large_family_still_fits_one_page(household: Any, tmp_path: Path) -> None:
    family = Family.objects.get(code="F0001")
    for n in range(14):
        _resident(f"R01{n:02d}", f"BNNCHL{n:02d}A01L219Z", f"FIGLIO{n}", family)
    path = tmp_path / "grande.pdf"
    path.write_bytes(pdf.to_pdf(_data()))
    assert _pages(path) == 1
    text = _text(path)
    assert "BNNCHL13A01L219Z" in text and "FIGLIO13" in text


def test_the_command_exports_each_format_and_logs_each_export(
    household: Any, tmp_path: Path
) -> None:
    out = io.StringIO()
    call_command("prefill", "bnnmhm85c12z330t", "--by", "operatore", *COMMON, stdout=out)
    assert json.loads(out.getvalue())["richiedente"]["nome"] == "MOHAMMED"
    for kind in ("csv", "pdf"):
        path = tmp_path / f"domanda.{kind}"
        call_command(
            "prefill", "BNNMHM85C12Z330T", "--format", kind, "--out", str(path),
            "--by", "admin_anagrafe", *COMMON,
        )  # fmt: skip
        assert b"BNNMHM85C12Z330T" in path.read_bytes() or kind == "pdf"
    assert "BNNMHM85C12Z330T" in _text(tmp_path / "domanda.pdf")
    logged = entries()
    assert len(logged) == 3
    first = logged[0]
    assert first["user"] == "operatore" and first["role"] == "operatore_anagrafe"
    assert first["office"] == "Anagrafe di Torino"
    assert first["purpose"] == PURPOSE and first["case"] == CASE
    assert first["records"] == ["residente:R0001", "residente:R0002"]
    assert first["query"] == {"codice_fiscale": "BNNMHM85C12Z330T", "precompilazione": "json"}
    assert [e["query"]["precompilazione"] for e in logged] == ["json", "csv", "pdf"]


@pytest.mark.parametrize(
    "code, says",
    [
        ("XXXXXX00A00Z000X", "no one in the registry"),
        ("LMRHSN80A01Z330C", "not a current resident"),
        ("KWLDRA90A41Z129Q", "EU citizen (POL)"),
    ],
)
def test_the_command_refuses_who_gets_no_application(household: Any, code: str, says: str) -> None:
    with pytest.raises(CommandError, match=re.escape(says)):
        call_command("prefill", code, "--by", "operatore", *COMMON, stdout=io.StringIO())
    assert entries() == []


@pytest.mark.parametrize(
    "options, says",
    [
        (["--by", "agente", *COMMON], "no authorization in force today to export"),
        (["--by", "supervisore", *COMMON], "no authorization in force today to export"),
        (["--by", "nessuno", *COMMON], "no such user"),
        (["--by", "operatore", "--purpose", "curiosita", "--case", CASE], "--purpose"),
        (["--by", "operatore", "--purpose", PURPOSE, "--case", "x"], "--case"),
        (["--by", "operatore", "--format", "pdf", *COMMON], "--out FILE is required"),
    ],
)
def test_the_command_refuses_who_may_not_export_and_bad_options(
    household: Any, options: list[str], says: str
) -> None:
    with pytest.raises(CommandError, match=re.escape(says)):
        call_command("prefill", "BNNMHM85C12Z330T", *options, stdout=io.StringIO())
    assert entries() == []


def test_a_file_that_cannot_be_written_leaves_no_entry(household: Any, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "domanda.csv"
    with pytest.raises(CommandError, match="No such file"):
        call_command(
            "prefill", "BNNMHM85C12Z330T", "--format", "csv", "--out", str(missing),
            "--by", "operatore", *COMMON,
        )  # fmt: skip
    assert entries() == []


def test_the_command_runs_on_a_comune_node_only(household: Any, settings: Any) -> None:
    settings.NODE_ROLE = "questura"
    with pytest.raises(CommandError, match="belongs on a comune node"):
        call_command("prefill", "BNNMHM85C12Z330T", "--by", "operatore", *COMMON)


def _opened(username: str, code: str = "BNNMHM85C12Z330T") -> Client:
    """A portal session of `username` that searched for `code` with a purpose and a case."""
    client = Client()
    login(client, username)
    data = {"finalita": PURPOSE, "riferimento_pratica": CASE, "codice_fiscale": code}
    assert client.post("/consultazione/", data).status_code == 200
    return client


PREFILL = "/consultazione/persone/R0001/precompilazione."


def test_the_person_page_offers_the_three_formats_to_the_registry_office(household: Any) -> None:
    client = _opened("operatore")
    page = client.get("/consultazione/persone/R0001/").content.decode()
    for kind in ("json", "csv", "pdf"):
        assert f'href="{PREFILL}{kind}"' in page, kind
    agent = _opened("agente")
    page = agent.get("/consultazione/persone/R0001/").content.decode()
    assert "precompilazione" not in page


def test_the_portal_download_is_an_attachment_logged_with_the_search_purpose(
    household: Any,
) -> None:
    client = _opened("admin_anagrafe")
    before = LogEntry.objects.count()
    response = client.get(PREFILL + "csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="precompilazione-R0001-{date.today():%Y%m%d}.csv"'
    )
    assert "BNNFTM88D52Z330K" in response.content.decode("utf-8-sig")
    assert LogEntry.objects.count() == before + 1
    entry = entries()[-1]
    assert entry["user"] == "admin_anagrafe" and entry["role"] == "amministratore_anagrafe"
    assert entry["purpose"] == PURPOSE and entry["case"] == CASE
    assert entry["query"] == {"id_anagrafe": "R0001", "precompilazione": "csv"}
    assert entry["records"] == ["residente:R0001", "residente:R0002"]
    document = client.get(PREFILL + "pdf")
    assert document["Content-Type"] == "application/pdf" and document.content.startswith(b"%PDF")
    assert json.loads(client.get(PREFILL + "json").content)["permesso"]["numero"] == "TOR0001"
    assert client.get(PREFILL + "xml").status_code == 404


def test_the_portal_refuses_the_questura_anonymous_and_a_person_not_searched(
    household: Any,
) -> None:
    before = LogEntry.objects.filter(action=actions.EXPORT).count()
    assert _opened("agente").get(PREFILL + "json").status_code == 403
    anonymous = Client().get(PREFILL + "json")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accesso/")
    unsearched = _opened("operatore", code="BNNFTM88D52Z330K")
    assert unsearched.get(PREFILL + "json").status_code == 403
    assert LogEntry.objects.filter(action=actions.EXPORT).count() == before


def test_the_portal_says_why_an_eu_citizen_has_no_application(household: Any) -> None:
    client = _opened("operatore", code="KWLDRA90A41Z129Q")
    page = client.get("/consultazione/persone/R0003/").content.decode()
    assert "cittadina dell&#x27;Unione europea" in page
    assert "precompilazione.json" not in page
    response = client.get("/consultazione/persone/R0003/precompilazione.json")
    assert response.status_code == 409
    assert "cittadina dell&#x27;Unione europea" in response.content.decode()
    assert entries() == []


def test_the_offer_and_the_refusal_speak_english_on_request(household: Any) -> None:
    client = _opened("operatore", code="KWLDRA90A41Z129Q")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/consultazione/persone/R0003/").content.decode()
    assert "Pre-filled permit application" in page and "needs no residence permit" in page
    refused = client.get("/consultazione/persone/R0003/precompilazione.pdf").content.decode()
    assert "Application not pre-filled" in refused
