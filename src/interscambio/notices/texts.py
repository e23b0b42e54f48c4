# SPDX-License-Identifier: EUPL-1.2
"""The letter's text, in Italian (the source) and in the resident's language.

The texts are marked with gettext_noop (for makemessages) and translated from this app's own
catalogs (locale/<lang>/LC_MESSAGES/django.po; docs/notices.md says how a translator edits
them), read with Python's gettext rather than Django's active language: a letter goes out in
languages the portal does not offer, and must never pick up a portal string or depend on the
request's.
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Final

from django.conf import settings
from django.utils.translation import gettext_noop

from interscambio.core.deadlines import NOTICE_DAYS
from interscambio.notices.languages import ITALIAN, LANGUAGES, RIGHT_TO_LEFT
from interscambio.notices.models import Notice

LOCALE: Final = Path(__file__).resolve().parent / "locale"

SUBJECT: Final = {
    Notice.EXPIRING: gettext_noop("Oggetto: il suo permesso di soggiorno scade il %(expiry)s"),
    Notice.EXPIRED: gettext_noop("Oggetto: il suo permesso di soggiorno è scaduto il %(expiry)s"),
}
GREETING: Final = gettext_noop("Gentile %(name)s,")
BODY: Final = {
    Notice.EXPIRING: gettext_noop(
        "Secondo i dati dell'Ufficio Anagrafe, il suo permesso di soggiorno scade il "
        "%(expiry)s. Chieda il rinnovo prima di questa data."
    ),
    Notice.EXPIRED: gettext_noop(
        "Secondo i dati dell'Ufficio Anagrafe, il suo permesso di soggiorno è scaduto il "
        "%(expiry)s e non risulta un rinnovo. La invitiamo a provvedere entro 30 giorni da "
        "questa lettera, cioè entro il %(deadline)s."
    ),
}
CANCELLATION: Final = gettext_noop(
    "Se non rinnova il permesso, la sua iscrizione anagrafica può essere cancellata sei mesi "
    "dopo la scadenza (DPR 223/1989, art. 11). Senza iscrizione perde l'accesso a molti servizi."
)
ALREADY_APPLIED: Final = {
    Notice.EXPIRING: gettext_noop(
        "Se ha già chiesto il rinnovo, conservi la ricevuta: dimostra la sua domanda fino al "
        "nuovo permesso."
    ),
    Notice.EXPIRED: gettext_noop(
        "Se ha già chiesto il rinnovo, porti o invii la ricevuta all'Ufficio Anagrafe entro il "
        "%(deadline)s."
    ),
}
WAYS: Final = gettext_noop("Può chiedere il rinnovo in tre modi:")
WAY_KIT: Final = gettext_noop(
    "con il kit postale, negli uffici postali abilitati (Sportello Amico): per lavoro, "
    "famiglia, studio, attesa occupazione e permesso UE per soggiornanti di lungo periodo;"
)
WAY_BOOKING: Final = gettext_noop(
    "con una prenotazione sul portale Prenotafacile della Polizia di Stato: per protezione "
    "internazionale o speciale, cure mediche, carta di soggiorno per familiari di cittadini UE "
    "e altri casi;"
)
WAY_OFFICE: Final = gettext_noop(
    "all'Ufficio Immigrazione della Questura, se i modi precedenti non sono possibili."
)
DWELLING: Final = gettext_noop(
    "Importante: entro 60 giorni dal rinnovo deve rinnovare all'Ufficio Anagrafe la "
    "dichiarazione di dimora abituale, mostrando il nuovo permesso (DPR 223/1989, art. 7)."
)
CONTACTS: Final = gettext_noop("Per informazioni:")
CLOSING: Final = gettext_noop("Cordiali saluti.")
ITALIAN_COPY: Final = gettext_noop(
    "Lo stesso avviso in italiano, per l'ufficio e per chi la aiuta:"
)

MESSAGES: Final = (
    *SUBJECT.values(),
    GREETING,
    *BODY.values(),
    CANCELLATION,
    *ALREADY_APPLIED.values(),
    WAYS,
    WAY_KIT,
    WAY_BOOKING,
    WAY_OFFICE,
    DWELLING,
    CONTACTS,
    CLOSING,
    ITALIAN_COPY,
)


class MissingCatalog(FileNotFoundError):
    pass


@cache
def catalog(language: str) -> gettext.NullTranslations:
    if language == ITALIAN:
        return gettext.NullTranslations()
    if language not in LANGUAGES:
        raise MissingCatalog(f"no letters in {language!r}: the languages are {list(LANGUAGES)}")
    path = LOCALE / language / "LC_MESSAGES" / "django.mo"
    if not path.exists():
        raise MissingCatalog(f"{path} is missing: compile it with msgfmt (docs/notices.md)")
    with path.open("rb") as compiled:
        return gettext.GNUTranslations(compiled)


def written_date(day: date, language: str) -> str:
    """Digits every reader and every office tool reads alike; Chinese writes the year first."""
    if language == "zh":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day:%d/%m/%Y}"


def deadline(kind: str, expiry: date, sent_on: date) -> date:
    """By when the resident should act: the expiry itself for a permit about to expire; the
    30 days of the invitation (DPR 223/1989 art. 11) from the letter's date for an expired one."""
    return expiry if kind == Notice.EXPIRING else sent_on + timedelta(days=NOTICE_DAYS)


@dataclass(frozen=True)
class Text:
    """A letter's words in one language, paragraph by paragraph."""

    language: str
    subject: str
    greeting: str
    paragraphs: tuple[str, ...]
    ways_intro: str
    ways: tuple[str, str, str]
    dwelling: str
    contacts_label: str
    closing: str
    italian_copy_label: str

    @property
    def right_to_left(self) -> bool:
        return self.language in RIGHT_TO_LEFT


def text(language: str, kind: str, name: str, expiry: date, sent_on: date) -> Text:
    """The letter in `language` for a resident called `name`; sent on `sent_on`."""
    tr = catalog(language).gettext
    values = {
        "name": name,
        "expiry": written_date(expiry, language),
        "deadline": written_date(deadline(kind, expiry, sent_on), language),
    }
    return Text(
        language=language,
        subject=tr(SUBJECT[kind]) % values,
        greeting=tr(GREETING) % values,
        paragraphs=(
            tr(BODY[kind]) % values,
            tr(CANCELLATION),
            tr(ALREADY_APPLIED[kind]) % values,
        ),
        ways_intro=tr(WAYS),
        ways=(tr(WAY_KIT), tr(WAY_BOOKING), tr(WAY_OFFICE)),
        dwelling=tr(DWELLING),
        contacts_label=tr(CONTACTS),
        closing=tr(CLOSING),
        italian_copy_label=tr(ITALIAN_COPY),
    )


def contacts() -> tuple[str, ...]:
    """The office's contacts, as configured: names and numbers, never translated."""
    lines = (
        settings.NOTICES_OFFICE,
        settings.NOTICES_OFFICE_ADDRESS,
        f"tel. {settings.NOTICES_OFFICE_PHONE}" if settings.NOTICES_OFFICE_PHONE else "",
        settings.NOTICES_OFFICE_EMAIL,
        settings.NOTICES_OFFICE_HOURS,
    )
    return tuple(line for line in lines if line)
