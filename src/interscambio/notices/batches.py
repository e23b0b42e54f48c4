# SPDX-License-Identifier: EUPL-1.2
"""Generating a batch of letters: select, write the PDF and the CSV, record them as sent.

All in one transaction with the files: the notices, the batch and the access-log entry exist
exactly when both files were written; if anything fails, the files written so far are removed
and nothing is recorded, so the next run finds the same people again. The Notice rows are what
the cancellation rule rests on (DPR 223/1989 art. 11: cancellation only after a notice inviting
the person to act within 30 days), and what keeps a second run from writing to them again.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Final

from django.conf import settings
from django.db import transaction

from interscambio.audit import actions, log
from interscambio.notices import fonts, mailmerge, pdf, texts
from interscambio.notices.languages import language_for, table
from interscambio.notices.models import Notice, NoticeBatch
from interscambio.notices.selection import KINDS, Candidate, select
from interscambio.reconciliation.store import in_chunks
from interscambio.registry.models import Resident

PURPOSE: Final = "avvisi_ai_residenti"


class BatchError(RuntimeError):
    pass


@dataclass
class Outcome:
    due: list[Candidate]
    languages: Counter[str] = field(default_factory=Counter)
    batch: NoticeBatch | None = None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _name(resident: Resident) -> str:
    return f"{resident.surname} {resident.given_names}"


def _address(resident: Resident) -> tuple[str, str]:
    town = f"{resident.street.postal_code} {settings.NODE_NAME}".strip()
    return resident.address, town


def generate(
    day: date,
    within: int,
    out: Path,
    by: str,
    kinds: tuple[str, ...] = KINDS,
    dry_run: bool = False,
    say: Callable[[str], None] = lambda _message: None,
) -> Outcome:
    """The letters due on `day` (sent that day), written into `out` and recorded as sent."""
    if not dry_run and not by.strip():
        raise BatchError("who generates the letters must be named (--by): the access log says")
    by_country = table()
    fonts.faces()  # a missing font stops us here, before anything is read or written
    written: list[Path] = []
    try:
        with transaction.atomic():
            outcome = _generate(day, within, out, by, kinds, dry_run, say, by_country, written)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return outcome


def _generate(
    day: date,
    within: int,
    out: Path,
    by: str,
    kinds: tuple[str, ...],
    dry_run: bool,
    say: Callable[[str], None],
    by_country: dict[str, str],
    written: list[Path],
) -> Outcome:
    due = select(day, within, kinds)
    outcome = Outcome(due)
    outcome.languages.update(language_for(c.citizenships, by_country) for c in due)
    say(f"{len(due):,} letters due on {day:%d/%m/%Y}")
    if dry_run or not due:
        return outcome
    for language in outcome.languages:
        texts.catalog(language)  # a missing catalog fails before any file exists
    residents = {
        r.registry_id: r
        for r in in_chunks(
            Resident.objects.select_related("street"), "registry_id", {c.registry_id for c in due}
        )
    }
    batch = NoticeBatch.objects.create(
        sent_on=day,
        generated_by=by,
        kinds=",".join(kinds),
        within_days=within,
        letters=len(due),
    )
    stem = out / f"avvisi-{day:%Y%m%d}-lotto{batch.pk}"
    pdf_path, csv_path = stem.with_suffix(".pdf"), stem.with_suffix(".csv")
    for path in (pdf_path, csv_path):
        if path.exists():
            raise BatchError(f"{path} exists already: it is never overwritten")
    letters, rows, notices = [], [], []
    for n, candidate in enumerate(due, 1):
        resident = residents[candidate.registry_id]
        language = language_for(candidate.citizenships, by_country)
        reference = f"{batch.pk}/{n}"
        name, address = _name(resident), _address(resident)
        letters.append(
            pdf.letter_for(
                reference, name, address, language, candidate.kind, candidate.permit_expiry, day
            )
        )
        end = texts.deadline(candidate.kind, candidate.permit_expiry, day)
        rows.append(
            mailmerge.Row(
                reference,
                resident.registry_id,
                name,
                address,
                language,
                candidate.kind,
                candidate.permit_expiry,
                end,
            )
        )
        notices.append(
            Notice(
                resident=resident,
                kind=candidate.kind,
                permit_expiry=candidate.permit_expiry,
                language=language,
                sent_on=day,
                batch=batch,
            )
        )
    Notice.objects.bulk_create(notices)
    out.mkdir(parents=True, exist_ok=True)
    say(f"writing {pdf_path}")
    written.append(pdf_path)
    pages = pdf.write(letters, day, pdf_path)
    if pages != len(letters):
        raise BatchError(f"{pdf_path}: {pages} pages for {len(letters)} letters")
    say(f"writing {csv_path}")
    written.append(csv_path)
    mailmerge.write(rows, csv_path)
    batch.pdf_path, batch.csv_path = str(pdf_path), str(csv_path)
    batch.pdf_sha256, batch.csv_sha256 = _sha256(pdf_path), _sha256(csv_path)
    batch.save(update_fields=["pdf_path", "csv_path", "pdf_sha256", "csv_sha256"])
    # Last before the commit, as the log asks: the letters carry names and addresses out.
    log.append(
        actions.EXPORT,
        user=by,
        office=settings.NOTICES_OFFICE,
        query={
            "avvisi": list(kinds),
            "data": day.isoformat(),
            "entro_giorni": within,
            "lotto": batch.pk,
        },
        purpose=PURPOSE,
        case_reference=f"avvisi/{batch.pk}",
        records=[actions.person(c.registry_id) for c in due],
    )
    outcome.batch = batch
    return outcome
