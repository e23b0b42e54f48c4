# SPDX-License-Identifier: EUPL-1.2
"""Many partners at once: a Questura exchanges with every Comune of its province (Turin's has
312), and adding them one command at a time is how a typo goes unnoticed. A CSV file, checked
whole and applied in one transaction: every partner and certificate, or none."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Final

from django.db import transaction

from interscambio.exchange.errors import ExchangeError
from interscambio.exchange.models import Partner
from interscambio.exchange.models.partners import API, FILE
from interscambio.exchange.trust import trust_certificate

COLUMNS: Final = ("node_id", "name", "transport", "url", "outbox", "inbox", "since", "certificate")
REQUIRED: Final = frozenset({"node_id", "name", "transport", "since"})


class PartnerFileError(Exception):
    pass


@dataclass(frozen=True)
class Row:
    line: int
    fields: dict[str, str]
    since: date
    certificate: bytes | None


def _checked(line: int, raw: dict[str, str], folder: Path) -> Row:
    fields = {k: (raw.get(k) or "").strip() for k in COLUMNS}
    for name in sorted(REQUIRED):
        if not fields[name]:
            raise PartnerFileError(f"line {line}: {name} is empty")
    if fields["transport"] not in (API, FILE):
        raise PartnerFileError(f"line {line}: transport {fields['transport']!r} is not api or file")
    if fields["transport"] == API and not fields["url"].startswith(("http://", "https://")):
        raise PartnerFileError(f"line {line}: url must be http(s)://host/ for the api transport")
    try:
        since = date.fromisoformat(fields["since"])
    except ValueError:
        raise PartnerFileError(f"line {line}: since {fields['since']!r} is not a date") from None
    pem = None
    if fields["certificate"]:
        path = folder / fields["certificate"]
        try:
            pem = path.read_bytes()
        except OSError as error:
            raise PartnerFileError(f"line {line}: certificate {path}: {error.strerror}") from None
    return Row(line, fields, since, pem)


def read(path: Path) -> list[Row]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        reader = csv.DictReader(stream)
        missing = REQUIRED - set(reader.fieldnames or ())
        if missing:
            raise PartnerFileError(f"the header lacks {', '.join(sorted(missing))}")
        rows = [_checked(n, raw, path.parent) for n, raw in enumerate(reader, start=2)]
    seen: dict[str, int] = {}
    for row in rows:
        first = seen.setdefault(row.fields["node_id"], row.line)
        if first != row.line:
            raise PartnerFileError(
                f"line {row.line}: node_id {row.fields['node_id']} is on line {first} already"
            )
    return rows


def import_partners(path: Path) -> tuple[int, int]:
    """Add or change the file's partners and trust their certificates: (added, changed)."""
    rows = read(path)
    added = changed = 0
    with transaction.atomic():
        for row in rows:
            f = row.fields
            _, created = Partner.objects.update_or_create(
                node_id=f["node_id"],
                defaults={
                    "name": f["name"], "transport": f["transport"], "url": f["url"],
                    "outbox": f["outbox"], "inbox": f["inbox"], "since": row.since, "active": True,
                },
            )  # fmt: skip
            added, changed = added + created, changed + (not created)
            if row.certificate is not None:
                try:
                    partner, _, _ = trust_certificate(row.certificate)
                except ExchangeError as error:
                    raise PartnerFileError(f"line {row.line}: certificate: {error}") from None
                if partner.node_id != f["node_id"]:
                    raise PartnerFileError(
                        f"line {row.line}: the certificate is {partner.node_id}'s, not "
                        f"{f['node_id']}'s"
                    )
    return added, changed
