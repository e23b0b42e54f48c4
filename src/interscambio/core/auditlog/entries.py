# SPDX-License-Identifier: EUPL-1.2
"""Log entries as the exact bytes that are hashed: canonical JSON, one record per entry.

The same entry must give the same bytes on any machine and in any language, years later, or its
hash will not match. The bytes follow the JSON Canonicalization Scheme (RFC 8785): object members
sorted by the UTF-16 code units of their names, no whitespace, strings escaped only where JSON
requires it, numbers written as ECMAScript writes them, UTF-8. Anything without one obvious
canonical form (NaN, infinities, integers a double cannot hold, non-string keys) is refused
rather than guessed.

What a log stores for entry i is a record {"entry": ..., "index": i, "previous": hash of record
i-1}: the index and the link are inside the hashed bytes, so moving, dropping or slipping in a
record shows even before the signed tree heads are consulted (see verify.py).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Final

from interscambio.core.auditlog.merkle import HASH_SIZE, leaf_hash

# The first record has no predecessor: it links to 32 zero bytes.
GENESIS: Final = bytes(HASH_SIZE)
# Integers beyond this lose digits in a JavaScript or I-JSON reader (RFC 7493, section 2.2).
MAX_SAFE_INTEGER: Final = 2**53 - 1


class EntryError(ValueError):
    """A value or a stored record that is not a valid log entry; the message says why."""


def canonical_json(value: object) -> bytes:
    """The RFC 8785 bytes of a JSON value made of dicts, lists, str, int, float, bool, None."""
    try:
        return _serialize(value).encode("utf-8")
    except UnicodeEncodeError:
        raise EntryError("a string holds a lone surrogate, which UTF-8 cannot encode") from None


def _serialize(value: object) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise EntryError(f"the integer {value} is too large for JSON numbers: store a string")
        return str(value)
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, Mapping):
        if not all(isinstance(key, str) for key in value):
            raise EntryError("object keys must be strings")
        keys = sorted(value, key=lambda key: key.encode("utf-16-be"))
        members = (f"{_serialize(key)}:{_serialize(value[key])}" for key in keys)
        return "{" + ",".join(members) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_serialize(item) for item in value) + "]"
    raise EntryError(f"a {type(value).__name__} has no JSON form: convert it first")


def _number(value: float) -> str:
    """A double as ECMAScript's Number.prototype.toString writes it (RFC 8785, section 3.2.2.3)."""
    if not math.isfinite(value):
        raise EntryError(f"{value} is not a JSON number")
    if value == 0:
        return "0"  # also -0
    sign = "-" if value < 0 else ""
    # repr gives the shortest digits that read back as the same double, as ECMAScript requires.
    parsed = Decimal(repr(abs(value))).as_tuple()
    digits = "".join(map(str, parsed.digits)).rstrip("0")
    exponent = int(parsed.exponent) + (len(parsed.digits) - len(digits))
    k = len(digits)
    n = exponent + k  # the decimal point sits after n digits
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = f"{digits[:n]}.{digits[n:]}"
    elif -6 < n <= 0:
        text = "0." + "0" * -n + digits
    else:
        power = n - 1
        mantissa = digits if k == 1 else f"{digits[0]}.{digits[1:]}"
        text = f"{mantissa}e{'+' if power >= 0 else '-'}{abs(power)}"
    return sign + text


def utc_timestamp(moment: datetime) -> str:
    """A moment as the log writes it: UTC, ISO 8601, microseconds, a final Z."""
    if moment.tzinfo is None:
        raise EntryError("a timezone-aware datetime is needed, got a naive one")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class LogRecord:
    """One stored record: the entry, its place in the log and the hash of the one before."""

    index: int
    previous: bytes
    entry: dict[str, Any]

    def to_bytes(self) -> bytes:
        return encode_record(self.index, self.previous, self.entry)

    @property
    def leaf_hash(self) -> bytes:
        return leaf_hash(self.to_bytes())


def encode_record(index: int, previous: bytes, entry: Mapping[str, Any]) -> bytes:
    """The canonical bytes of record `index`, linked to the leaf hash `previous`."""
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise EntryError(f"a record's index is a whole number from 0, not {index!r}")
    if len(previous) != HASH_SIZE:
        raise EntryError(f"a record links to a {HASH_SIZE}-byte hash, not {len(previous)} bytes")
    if not isinstance(entry, Mapping):
        raise EntryError("an entry is a JSON object (a mapping)")
    return canonical_json({"entry": entry, "index": index, "previous": previous.hex()})


def decode_record(data: bytes) -> LogRecord:
    """The record stored as `data`, which must be exactly its canonical bytes."""
    try:
        value = json.loads(data.decode("utf-8"))
    except ValueError:  # also UnicodeDecodeError and json.JSONDecodeError
        raise EntryError("the record is not UTF-8 JSON") from None
    if not isinstance(value, dict) or set(value) != {"entry", "index", "previous"}:
        raise EntryError('a record is an object with exactly "entry", "index" and "previous"')
    index, previous, entry = value["index"], value["previous"], value["entry"]
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise EntryError(f"the record's index {index!r} is not a whole number from 0")
    try:
        link = bytes.fromhex(previous) if isinstance(previous, str) else b""
    except ValueError:
        link = b""
    if len(link) != HASH_SIZE or previous != link.hex():
        raise EntryError(f'the record\'s "previous" is not a {HASH_SIZE}-byte lowercase hex hash')
    if not isinstance(entry, dict):
        raise EntryError('the record\'s "entry" is not an object')
    record = LogRecord(index, link, entry)
    try:
        canonical = record.to_bytes()
    except EntryError as error:
        raise EntryError(f"the record cannot be canonical: {error}") from None
    if canonical != data:
        # Same meaning, other bytes: its hash would not be the one that was signed.
        raise EntryError("the record is valid JSON but not in canonical form")
    return record
