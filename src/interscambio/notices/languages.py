# SPDX-License-Identifier: EUPL-1.2
"""The language of a resident's letter, from their citizenships, in one table.

The first citizenship (in the registry's order) that maps to a language we have texts for
wins; Italian otherwise. The Comune adjusts the table with INTERSCAMBIO_NOTICE_LANGUAGES
(settings.NOTICES_LANGUAGE_BY_COUNTRY), e.g. "MAR:fr;SOM:ar" where its Moroccan residents read
French more readily than Arabic.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

ITALIAN: Final = "it"
# The languages of the catalogs in notices/locale, with their names in their own script.
LANGUAGES: Final = {
    "it": "Italiano",
    "en": "English",
    "fr": "Français",
    "es": "Español",
    "ar": "العربية",
    "zh": "中文（简体）",
    "sq": "Shqip",
    "bn": "বাংলা",
    "ur": "اردو",
}
RIGHT_TO_LEFT: Final = frozenset({"ar", "ur"})

_BY_LANGUAGE: Final = {
    "it": "SMR VAT",
    "en": (
        "GBR USA CAN AUS NZL NGA GHA GMB SLE LBR KEN UGA TZA ZMB ZWE MWI ZAF IND LKA NPL PHL "
        "JAM TTO GUY ERI ETH SOM"
    ),
    "fr": "SEN CIV MLI BFA GIN NER TGO BEN CMR TCD CAF COD COG GAB MDG HTI BDI RWA COM",
    "es": ("PER ECU COL BOL ARG CHL VEN MEX CUB DOM SLV HND GTM NIC CRI PAN PRY URY GNQ"),
    "ar": "MAR DZA TUN EGY LBY SDN SYR IRQ JOR LBN PSE SAU YEM OMN ARE QAT KWT BHR MRT DJI",
    "zh": "CHN TWN HKG MAC",
    "sq": "ALB XKX",
    "bn": "BGD",
    "ur": "PAK",
}
# ISO 3166-1 alpha-3 (the registry's citizenship code) -> language of the letter.
BY_COUNTRY: Final[Mapping[str, str]] = {
    country: language for language, codes in _BY_LANGUAGE.items() for country in codes.split()
}


def table() -> dict[str, str]:
    """The default table with the Comune's overrides, each checked: a language we have no
    texts for would silently send Italian letters."""
    overrides: dict[str, str] = settings.NOTICES_LANGUAGE_BY_COUNTRY
    for country, language in overrides.items():
        if language not in LANGUAGES:
            raise ImproperlyConfigured(
                f"INTERSCAMBIO_NOTICE_LANGUAGES: {country}:{language}, but the letters exist "
                f"only in {', '.join(LANGUAGES)}"
            )
    return {**BY_COUNTRY, **overrides}


def language_for(citizenships: Iterable[str], by_country: Mapping[str, str] | None = None) -> str:
    countries = table() if by_country is None else by_country
    for country in citizenships:
        language = countries.get(country.upper())
        if language in LANGUAGES:
            return language
    return ITALIAN
