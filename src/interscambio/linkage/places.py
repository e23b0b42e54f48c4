# SPDX-License-Identifier: EUPL-1.2
"""Places of birth as one key whatever the spelling: a country by its ISO 3166-1 alpha-3 code.

`luogo_nascita` is an Italian country or comune name, written as each office writes it: MAROCCO,
Marocco, "COSTA D'AVORIO", COSTA D AVORIO, or in English (Morocco, Ivory Coast) on a form. A
country name in Italian or English, short or official, as pycountry's ISO 3166 data and its
Italian translation give them, becomes its alpha-3 code; anything else (an Italian comune,
mostly) stays its normalized name, so that it agrees only with the same name.
"""

from __future__ import annotations

import gettext
from functools import cache

import pycountry

from interscambio.linkage.names import normalize

# Names in use that neither ISO's English nor its Italian translation gives.
_EXTRA = {
    "IVORY COAST": "CIV",
    "COSTA D AVORIO": "CIV",
    "REPUBBLICA POPOLARE CINESE": "CHN",
    "STATI UNITI": "USA",
    "STATI UNITI D AMERICA": "USA",
    "RUSSIA": "RUS",
    "FEDERAZIONE RUSSA": "RUS",
    "MOLDOVA": "MDA",
    "MOLDAVIA": "MDA",
    "REPUBBLICA DI MOLDAVIA": "MDA",
    "KOSOVO": "XKX",
    "REPUBBLICA DEL KOSOVO": "XKX",
    "CONGO REPUBBLICA DEMOCRATICA": "COD",
    "REPUBBLICA DEMOCRATICA DEL CONGO": "COD",
    "CAPO VERDE": "CPV",
    "MACEDONIA": "MKD",
    "MACEDONIA DEL NORD": "MKD",
    "BIRMANIA": "MMR",
    "SRI LANKA": "LKA",
    "GRAN BRETAGNA": "GBR",
    "REGNO UNITO": "GBR",
    "INGHILTERRA": "GBR",
    "OLANDA": "NLD",
    "PAESI BASSI": "NLD",
    "SIRIA": "SYR",
    "IRAN": "IRN",
    "COREA DEL SUD": "KOR",
    "VENEZUELA": "VEN",
    "BOLIVIA": "BOL",
    "TANZANIA": "TZA",
    "VIETNAM": "VNM",
    "VIET NAM": "VNM",
    "LAOS": "LAO",
    "PALESTINA": "PSE",
    "REPUBBLICA CECA": "CZE",
    "CECHIA": "CZE",
    "SLOVACCHIA": "SVK",
    "BOSNIA ERZEGOVINA": "BIH",
    "BOSNIA ED ERZEGOVINA": "BIH",
}


@cache
def _countries() -> dict[str, str]:
    italian = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["it"])
    table: dict[str, str] = {}
    for country in pycountry.countries:
        code = country.alpha_3
        for attribute in ("name", "official_name", "common_name"):
            name = getattr(country, attribute, None)
            if name:
                for text in (name, italian.gettext(name)):
                    table.setdefault(normalize(text), code)
    for text, code in _EXTRA.items():
        table[normalize(text)] = code
    return table


def place_key(text: str | None) -> str:
    """The country's alpha-3 code, or the normalized name of a place that is not a country."""
    name = normalize(text)
    return _countries().get(name, name)
