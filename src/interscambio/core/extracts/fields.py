# SPDX-License-Identifier: EUPL-1.2
"""Field parsers: each turns the text of a CSV cell into a value or raises FieldError."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from datetime import date
from functools import cache
from typing import Any

from interscambio.core.identity.codice_fiscale import validation_error

Parser = Callable[[str], Any]


class FieldError(ValueError):
    """The cell's text is not a valid value for its column."""


@cache
def iso3_codes() -> frozenset[str]:
    import pycountry

    return frozenset(c.alpha_3 for c in pycountry.countries)


def text(max_length: int) -> Parser:
    def parse(value: str) -> str:
        if len(value) > max_length:
            raise FieldError(f"longer than {max_length} characters")
        return value

    return parse


def integer(minimum: int = 0, maximum: int = 10**9) -> Parser:
    def parse(value: str) -> int:
        if not re.fullmatch(r"[0-9]+", value):
            raise FieldError(f"not a whole number: {value[:40]!r}")
        digits = len(value.lstrip("0"))
        if digits > 18:  # no column's range is that wide, and int() refuses 4,300 digits
            raise FieldError(f"{digits} digits: outside {minimum}..{maximum}")
        number = int(value)
        if not minimum <= number <= maximum:
            raise FieldError(f"{number} is outside {minimum}..{maximum}")
        return number

    return parse


_DATE_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


def iso_date(value: str) -> date:
    match = _DATE_RE.fullmatch(value)
    if not match:
        raise FieldError(f"not a date in the form YYYY-MM-DD: {value!r}")
    year, month, day = (int(g) for g in match.groups())
    try:
        parsed = date(year, month, day)
    except ValueError:
        raise FieldError(f"impossible date: {value!r}") from None
    if year < 1880:
        raise FieldError(f"implausible year in {value!r}")
    return parsed


def choice(codes: Mapping[str, str]) -> Parser:
    def parse(value: str) -> str:
        if value not in codes:
            allowed = ", ".join(codes)
            raise FieldError(f"unknown code {value!r} (allowed: {allowed})")
        return value

    return parse


def codice_fiscale(value: str) -> str:
    value = value.upper()
    problem = validation_error(value)
    if problem:
        raise FieldError(f"invalid codice fiscale {value!r}: {problem}")
    return value


def place_code(value: str) -> str:
    value = value.upper()
    if not re.fullmatch(r"[A-Z][0-9]{3}", value):
        raise FieldError(f"not a Belfiore place code (e.g. Z330, L219): {value!r}")
    return value


def country(value: str) -> str:
    value = value.upper()
    if value not in iso3_codes():
        raise FieldError(f"not an ISO 3166-1 alpha-3 country code: {value!r}")
    return value


def countries(value: str) -> list[str]:
    codes = [part.strip() for part in value.split(";")]
    return [country(code) for code in codes]


def json_object(value: str) -> dict[str, Any]:
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError as exc:
        raise FieldError(f"not valid JSON: {exc.msg}") from None
    if not isinstance(parsed, dict):
        raise FieldError("must be a JSON object")
    return parsed


def istat_code(value: str) -> str:
    if not re.fullmatch(r"[0-9]{6}", value):
        raise FieldError(f"not a 6-digit ISTAT code: {value!r}")
    return value
