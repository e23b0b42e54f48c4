# SPDX-License-Identifier: EUPL-1.2
"""Notices to residents: who gets one, in which language, the letter in every language and
script, the PDF and CSV of a batch, recorded as sent, all or nothing."""

from __future__ import annotations

import csv
import gettext
import io
import re
import subprocess
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from PIL import Image

from interscambio.audit import actions
from interscambio.audit.models import LogEntry
from interscambio.notices import fonts, pdf, texts
from interscambio.notices.batches import generate
from interscambio.notices.languages import LANGUAGES, RIGHT_TO_LEFT, language_for
from interscambio.notices.models import Notice, NoticeBatch
from interscambio.notices.selection import select
from interscambio.reconciliation import kinds
from interscambio.reconciliation.models import Discrepancy
from interscambio.reconciliation.service import reconcile
from interscambio.registry.models import Resident, Street
from tests.reconcile_city import permit_flow, questura
from tests.residents import make_resident

DAY = date(2026, 12, 3)
WITHIN = 60
LOCALE = Path(texts.__file__).resolve().parent / "locale"
TRANSLATED = [language for language in LANGUAGES if language != "it"]


@pytest.fixture
def node(settings: Any, tmp_path: Path, db: None) -> Path:
    settings.DATA_DIR = tmp_path
    settings.NODE_ROLE, settings.NODE_ID, settings.NODE_NAME = "comune", "001272", "Torino"
    settings.NOTICES_LANGUAGE_BY_COUNTRY = {}
    Street.objects.create(
        code="00101", dug="VIA", name="GARIBALDI", civic_min=1, civic_max=300, postal_code="10122"
    )
    return tmp_path


def resident(registry_id: str, expiry: date | None, *countries: str, **extra: Any) -> Resident:
    return make_resident(registry_id, countries or ("MAR",), title_expiry_date=expiry, **extra)


def due() -> set[tuple[str, str]]:
    return {(c.registry_id, c.kind) for c in select(DAY, WITHIN)}


def batch(out: Path, **options: Any) -> NoticeBatch:
    outcome = generate(DAY, WITHIN, out, "operatore.anagrafe", **options)
    assert outcome.batch is not None
    return outcome.batch


# --- who gets a letter -------------------------------------------------------------------


def test_expiring_counts_from_the_day_to_the_last_day_of_the_window(node: Path) -> None:
    resident("TODAY", DAY)
    resident("LAST", DAY + timedelta(days=WITHIN))
    resident("AFTER", DAY + timedelta(days=WITHIN + 1))
    resident("YESTERDAY", DAY - timedelta(days=1))  # expired, but within the grace period
    assert due() == {("TODAY", "in_scadenza"), ("LAST", "in_scadenza")}


def test_expired_means_what_the_reconciliation_flags_as_permesso_scaduto(node: Path) -> None:
    resident("LONG", date(2024, 1, 1))
    resident("GRACE", DAY - timedelta(days=60))  # 60 days ago: still the grace period
    resident("PAST", DAY - timedelta(days=61))
    resident("ASKED", date(2024, 1, 1), title_renewal_requested_date=date(2024, 2, 1))
    resident("RECEIPT", date(2024, 1, 1), title_kind="5")
    resident("EU", date(2024, 1, 1), "ROU", "MAR")
    resident("GONE", date(2024, 1, 1), status="cancellato", cancellation_date=date(2025, 1, 1))
    resident("RENEWED", date(2024, 1, 1), title_number="P0")
    renewal = {
        "numero_permesso": "P1",
        "tipo": "PS",
        "motivo": "lavoro_subordinato",
        "canale": "kit_postale",
        "data_domanda": "2023-11-01",
        "data_rilascio": "2024-01-10",
        "data_consegna": "",
        "data_scadenza": "2028-01-10",
        "numero_permesso_precedente": "P0",
        "cui": "CP1",
        "codice_fiscale": "",
        "cognome": "COGNOMERENEWED",
        "nome": "NOME",
        "sesso": "F",
        "data_nascita": "1990-01-01",
        "luogo_nascita": "MAROCCO",
        "cittadinanza": "MAR",
        "domicilio_indirizzo": "VIA GARIBALDI 10",
        "domicilio_comune": "TORINO",
        "domicilio_codice_comune": "001272",
    }
    reconcile(permit_flow(questura(), [renewal]), today=DAY)
    expired = {r for r, kind in due() if kind == "scaduto"}
    assert expired == {"LONG", "PAST"}
    flagged = Discrepancy.objects.filter(kind=kinds.EXPIRED, status__in=kinds.CURRENT)
    assert set(flagged.values_list("registry_id", flat=True)) == expired


def test_nobody_gets_the_same_notice_for_the_same_expiry_twice(node: Path) -> None:
    person = resident("R1", date(2024, 1, 1))
    resident("R2", DAY + timedelta(days=10))
    Notice.objects.create(
        resident=person,
        kind="scaduto",
        permit_expiry=date(2024, 1, 1),
        language="ar",
        sent_on=date(2024, 4, 1),
    )
    assert due() == {("R2", "in_scadenza")}
    Resident.objects.filter(pk=person.pk).update(title_expiry_date=date(2024, 6, 1))
    assert ("R1", "scaduto") in due()  # a later expiry is another notice


def test_a_kind_can_be_asked_alone_and_a_wrong_one_is_refused(node: Path) -> None:
    resident("R1", date(2024, 1, 1))
    resident("R2", DAY + timedelta(days=10))
    assert [c.registry_id for c in select(DAY, WITHIN, ("scaduto",))] == ["R1"]
    with pytest.raises(ValueError, match="scadutissimo"):
        select(DAY, WITHIN, ("scadutissimo",))


# --- language ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("countries", "language"),
    [
        (["MAR"], "ar"),
        (["PAK"], "ur"),
        (["BGD"], "bn"),
        (["CHN"], "zh"),
        (["ALB"], "sq"),
        (["PER"], "es"),
        (["SEN"], "fr"),
        (["NGA"], "en"),
        (["BRA"], "it"),  # no texts in Portuguese: Italian
        ([], "it"),
        (["BRA", "SEN"], "fr"),  # the first citizenship that has a language
        (["ALB", "MAR"], "sq"),
    ],
)
def test_the_language_comes_from_the_first_citizenship_that_has_one(
    node: Path, countries: list[str], language: str
) -> None:
    assert language_for(countries) == language


def test_the_comune_overrides_the_table_but_only_with_a_language_it_has(
    node: Path, settings: Any
) -> None:
    settings.NOTICES_LANGUAGE_BY_COUNTRY = {"MAR": "fr"}
    assert language_for(["MAR"]) == "fr"
    settings.NOTICES_LANGUAGE_BY_COUNTRY = {"BRA": "pt"}
    with pytest.raises(ImproperlyConfigured, match="BRA:pt"):
        language_for(["BRA"])


# --- the texts in every language ---------------------------------------------------------


def _entries(po: str) -> list[tuple[str, str, str]]:
    """(flags, msgid, msgstr) of every entry but the header."""
    found = []
    pattern = r'((?:^#.*\n)*)msgid ((?:"[^\n]*"\n)+)msgstr ((?:"[^\n]*"\n?)+)'
    for flags, mid, out in re.findall(pattern, po, re.M):
        joined = ["".join(re.findall(r'"(.*)"', part)) for part in (mid, out)]
        found.append((flags, joined[0].replace('\\"', '"'), joined[1].replace('\\"', '"')))
    return [e for e in found if e[1]]


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_catalog_is_complete_compiled_and_keeps_the_placeholders(language: str) -> None:
    folder = LOCALE / language / "LC_MESSAGES"
    entries = _entries((folder / "django.po").read_text(encoding="utf-8"))
    assert {mid for _, mid, _ in entries} == set(texts.MESSAGES)
    with (folder / "django.mo").open("rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)
    for flags, mid, out in entries:
        assert "fuzzy" not in flags, (language, mid)
        assert out and out != mid, (language, mid)
        assert sorted(re.findall(r"%\(\w+\)s", out)) == sorted(re.findall(r"%\(\w+\)s", mid))
        assert catalog.gettext(mid) == out, f"{language}: run msgfmt, django.mo lags behind"


@pytest.mark.parametrize("language", list(LANGUAGES))
@pytest.mark.parametrize("kind", ["in_scadenza", "scaduto"])
def test_the_letter_names_the_dates_the_60_days_and_the_three_ways(
    language: str, kind: str
) -> None:
    letter = texts.text(language, kind, "ZHANG WEI", date(2026, 9, 1), DAY)
    words = "\n".join([letter.subject, letter.greeting, *letter.paragraphs, letter.dwelling])
    end = texts.deadline(kind, date(2026, 9, 1), DAY)
    assert end == (date(2026, 9, 1) if kind == "in_scadenza" else date(2027, 1, 2))
    assert texts.written_date(date(2026, 9, 1), language) in words
    assert texts.written_date(end, language) in words
    assert "ZHANG WEI" in letter.greeting
    assert "60" in letter.dwelling
    assert "Sportello Amico" in letter.ways[0] and "Prenotafacile" in letter.ways[1]
    assert "Questura" in letter.ways[2] or "Kuesturës" in letter.ways[2]
    if kind == "scaduto":
        assert "30" in letter.paragraphs[0]
    if language != "it":
        italian = texts.text("it", kind, "ZHANG WEI", date(2026, 9, 1), DAY)
        assert letter.paragraphs[0] != italian.paragraphs[0]


# --- the PDF -----------------------------------------------------------------------------


def _letters(*languages: str) -> list[pdf.Letter]:
    return [
        pdf.letter_for(
            f"1/{n}",
            "EL AMRANI FATIMA",
            ("VIA GARIBALDI 10", "10122 Torino"),
            language,
            "scaduto",
            date(2026, 9, 1),
            DAY,
        )
        for n, language in enumerate(languages, 1)
    ]


def _pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))  # type: ignore[union-attr]


def _words(path: Path, page: int) -> list[tuple[float, float, float, str]]:
    """(xMin, yMin, xMax, text) of each word pdftotext finds on the page, in points."""
    command = ["pdftotext", "-f", str(page), "-l", str(page), "-bbox", str(path), "-"]
    html = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>'
    return [(float(a), float(b), float(c), w) for a, b, c, w in re.findall(pattern, html)]


def test_every_language_fits_one_page_and_its_text_can_be_read_back(node: Path) -> None:
    path = node / "letters.pdf"
    assert pdf.write(_letters(*LANGUAGES), DAY, path) == len(LANGUAGES)
    assert _pages(path) == len(LANGUAGES)
    for page, language in enumerate(LANGUAGES, 1):
        command = ["pdftotext", "-f", str(page), "-l", str(page), str(path), "-"]
        extracted = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        assert texts.written_date(date(2027, 1, 2), language) in extracted, language
        assert "Comune di Torino" in extracted and "EL AMRANI FATIMA" in extracted
        if language != "it":  # the Italian copy for the office and the helpers
            assert "Secondo i dati dell'Ufficio Anagrafe" in extracted, language


RIGHT_MARGIN_PT = (210 - pdf.MARGIN) * 72 / 25.4
LEFT_MARGIN_PT = pdf.MARGIN * 72 / 25.4


@pytest.mark.parametrize("language", sorted(RIGHT_TO_LEFT))
def test_arabic_and_urdu_run_right_to_left_from_the_right_margin(node: Path, language: str) -> None:
    path = node / f"{language}.pdf"
    pdf.write(_letters(language), DAY, path)
    words = _words(path, 1)
    expiry = "01/09/2026"
    x_date, y_date, x_date_end, _ = next(w for w in words if w[3] == expiry)
    line = [w for w in words if abs(w[1] - y_date) < 3 and w[3] != expiry]
    # The subject starts (logically) with "Subject:" and ends with the date. Right to left,
    # its first word is at the right margin (less the cell's padding and the glyphs' bearing)
    # and the date comes after it, further left.
    assert max(w[2] for w in line) == pytest.approx(RIGHT_MARGIN_PT, abs=10)
    assert any(w[0] >= x_date_end for w in line), "words before the date must be right of it"
    rightmost = max(line, key=lambda w: w[2])[3]
    assert not re.search(r"[A-Za-z0-9]", rightmost), "the rightmost word must be in the script"
    if language == "ar":
        # -bbox lists each word's glyphs as they sit on the page, left to right: an Arabic
        # word set right to left comes out reversed, its first letter rightmost.
        subject = next(w for w in line if w[3][::-1] == "الموضوع:")
        assert subject[2] == max(w[2] for w in line) and subject[0] > x_date


def test_a_latin_letter_runs_from_the_left_margin(node: Path) -> None:
    path = node / "en.pdf"
    pdf.write(_letters("en"), DAY, path)
    words = _words(path, 1)
    subject = next(w for w in words if w[3] == "Subject:")
    date_word = next(w for w in words if w[3] == "01/09/2026")
    assert subject[0] == pytest.approx(LEFT_MARGIN_PT, abs=4) and subject[2] < date_word[0]


def _ink(png: Path) -> tuple[int, int, int]:
    """Dark pixels of the page's body (below the recipient block): count, leftmost, rightmost."""
    image = Image.open(png).convert("L")
    width, height = image.size
    body = image.crop((0, int(height * 0.3), width, height))
    pixels = body.load()
    assert pixels is not None
    xs = [x for x in range(body.width) for y in range(body.height) if pixels[x, y] < 128]
    return len(xs), min(xs, default=0), max(xs, default=0)


@pytest.mark.parametrize("language", ["it", "ar", "ur", "zh", "bn"])
def test_a_page_renders_to_a_picture_with_its_text_where_it_belongs(
    node: Path, language: str
) -> None:
    path = node / f"{language}.pdf"
    pdf.write(_letters(language), DAY, path)
    subprocess.run(
        ["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(path), str(node / language)],
        check=True,
    )
    (png,) = node.glob(f"{language}-*.png")
    count, left, right = _ink(png)
    width = Image.open(png).width
    assert count > 2000, "the page came out blank"
    margin = width * pdf.MARGIN / 210
    assert right == pytest.approx(width - margin, abs=width * 0.04)
    assert left == pytest.approx(margin, abs=width * 0.02)  # the Italian copy, left aligned


def test_a_missing_font_names_the_debian_package(
    node: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = node / "no-fonts"
    empty.mkdir()
    settings.NOTICES_FONT_DIRS = []
    monkeypatch.setattr(fonts, "DEBIAN_FOLDERS", (empty,))  # a machine without the packages
    fonts.faces.cache_clear()
    try:
        packages = "apt-get install fonts-noto-cjk fonts-noto-core"
        with pytest.raises(fonts.MissingFont, match=packages):
            fonts.faces()
    finally:
        fonts.faces.cache_clear()


# --- the batch ---------------------------------------------------------------------------


def test_a_batch_writes_the_pdf_and_the_csv_and_records_each_letter(node: Path) -> None:
    resident("R1", date(2024, 1, 1), "MAR")
    resident("R2", DAY + timedelta(days=10), "CHN")
    resident("R3", DAY + timedelta(days=20), "BRA")
    made = batch(node / "out")
    assert made.letters == 3 and made.generated_by == "operatore.anagrafe"
    assert _pages(Path(made.pdf_path)) == 3
    notices = Notice.objects.filter(batch=made).order_by("resident__registry_id")
    assert [(n.resident.registry_id, n.kind, n.language, n.sent_on) for n in notices] == [
        ("R1", "scaduto", "ar", DAY),
        ("R2", "in_scadenza", "zh", DAY),
        ("R3", "in_scadenza", "it", DAY),
    ]
    raw = Path(made.csv_path).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert [r["id_anagrafe"] for r in rows] == ["R1", "R2", "R3"]
    assert rows[0] == {
        "riferimento": f"{made.pk}/1",
        "id_anagrafe": "R1",
        "nominativo": "COGNOMER1 NOME",
        "indirizzo_1": "VIA GARIBALDI 10",
        "indirizzo_2": "10122 Torino",
        "lingua": "ar",
        "tipo": "scaduto",
        "scadenza_permesso": "01/01/2024",
        "termine": "02/01/2027",
    }
    assert rows[1]["termine"] == rows[1]["scadenza_permesso"]


def test_the_batch_is_in_the_access_log_as_an_export_of_those_residents(node: Path) -> None:
    resident("R1", date(2024, 1, 1))
    made = batch(node / "out")
    entry = LogEntry.objects.order_by("-index").first()
    assert entry is not None and entry.action == actions.EXPORT
    assert entry.user == "operatore.anagrafe" and entry.purpose == "avvisi_ai_residenti"
    assert '"residente:R1"' in entry.record and f'"lotto":{made.pk}' in entry.record


def test_a_second_run_the_same_day_finds_nobody_new(node: Path) -> None:
    resident("R1", date(2024, 1, 1))
    batch(node / "out")
    again = generate(DAY, WITHIN, node / "out", "operatore.anagrafe")
    assert again.due == [] and again.batch is None
    assert Notice.objects.count() == 1 and len(list((node / "out").iterdir())) == 2


def test_when_the_pdf_cannot_be_written_nothing_is_recorded(node: Path, settings: Any) -> None:
    resident("R1", date(2024, 1, 1))
    broken = node / "broken-fonts"
    broken.mkdir()
    (broken / "NotoSans-Regular.ttf").write_bytes(b"not a font")
    settings.NOTICES_FONT_DIRS = [str(broken)]
    fonts.faces.cache_clear()
    entries = LogEntry.objects.count()
    try:
        with pytest.raises(Exception):  # noqa: B017 - whatever the font library raises
            generate(DAY, WITHIN, node / "out", "operatore.anagrafe")
    finally:
        fonts.faces.cache_clear()
    assert not Notice.objects.exists() and not NoticeBatch.objects.exists()
    assert LogEntry.objects.count() == entries
    assert list((node / "out").iterdir()) == []  # the folder was made, the PDF removed
    settings.NOTICES_FONT_DIRS = []
    assert [c.registry_id for c in select(DAY, WITHIN)] == ["R1"]  # found again next time


def test_a_dry_run_counts_and_writes_nothing(node: Path) -> None:
    resident("R1", date(2024, 1, 1))
    outcome = generate(DAY, WITHIN, node / "out", "", dry_run=True)
    assert len(outcome.due) == 1 and outcome.languages == {"ar": 1}
    assert not (node / "out").exists() and not Notice.objects.exists()


# --- the command -------------------------------------------------------------------------


def test_the_command_generates_lists_and_refuses_without_out_or_by(
    node: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    resident("R1", date(2024, 1, 1), "PAK")
    resident("R2", DAY + timedelta(days=5), "BGD")
    out = node / "out"
    common = ["--date", DAY.isoformat(), "--within", str(WITHIN)]
    with pytest.raises(CommandError, match="--out"):
        call_command("notices", *common)
    with pytest.raises(CommandError, match="--by"):
        call_command("notices", *common, "--out", str(out))
    call_command("notices", *common, "--out", str(out), "--by", "op")
    printed = capsys.readouterr().out
    assert "in_scadenza: 1, scaduto: 1" in printed and "languages: bn 1, ur 1" in printed
    assert re.search(r"avvisi-20261203-lotto\d+\.pdf", printed)
    call_command("notices", *common, "--out", str(out), "--by", "op")
    assert "nobody new" in capsys.readouterr().out
    call_command("notices", "list")
    listed = capsys.readouterr().out
    assert "R1" in listed and "R2" in listed and "03/12/2026" in listed


def test_the_command_belongs_to_the_comune(node: Path, settings: Any) -> None:
    settings.NODE_ROLE = "questura"
    with pytest.raises(CommandError, match="comune node"):
        call_command("notices", "--dry-run")
