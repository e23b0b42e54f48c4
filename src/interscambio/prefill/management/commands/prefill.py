# SPDX-License-Identifier: EUPL-1.2
from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from interscambio.access import rules
from interscambio.consultation.purposes import PurposeError
from interscambio.consultation.reads import NotAllowed, Reader
from interscambio.node.roles import require_role
from interscambio.notices.fonts import MissingFont
from interscambio.prefill.application import Refused
from interscambio.prefill.exports import EXPORTING, FORMATS, export


def reader_for(username: str) -> Reader:
    """The user named by --by, acting by an authorization in force today to export."""
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"--by {username!r}: no such user")
    held = sorted(
        (a for a in rules.active(user) if a.role in EXPORTING), key=lambda a: (a.role, a.pk)
    )
    if not held:
        raise CommandError(
            f"--by {username!r}: no authorization in force today to export pre-filled "
            f"applications (roles: {', '.join(sorted(EXPORTING))})"
        )
    return Reader(username, held[0].office.name, held[0].role)


class Command(BaseCommand):
    help = (
        "A resident's pre-filled permit application (identity, address, permit, family "
        "members living with them) as JSON, CSV or PDF, logged as an export (docs/prefill.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("codice_fiscale", help="the resident's codice fiscale")
        parser.add_argument("--format", choices=sorted(FORMATS), default="json")
        parser.add_argument("--out", type=Path, help="the file to write (default: stdout)")
        parser.add_argument("--by", required=True, help="who exports (a user of the portal)")
        parser.add_argument("--purpose", required=True, help="the purpose's code")
        parser.add_argument("--case", required=True, help="the case reference (pratica)")

    def handle(self, *args: Any, **options: Any) -> None:
        require_role("comune", "interscambio prefill")
        out: Path | None = options["out"]
        if out is None and options["format"] == "pdf":
            raise CommandError("--out FILE is required for a PDF")
        reader = reader_for(options["by"])
        try:
            # The file is written inside the export's transaction, as the notices' batches
            # are: a file that cannot be written leaves no entry in the log.
            with transaction.atomic():
                done = export(
                    reader,
                    options["format"],
                    options["purpose"],
                    options["case"],
                    codice_fiscale=options["codice_fiscale"],
                )
                if out is not None:
                    out.write_bytes(done.content)
        except PurposeError as error:
            raise CommandError(f"--{_OPTION[error.field]}: {error}") from None
        except (Refused, NotAllowed, MissingFont, ValueError, OSError) as error:
            raise CommandError(str(error)) from None
        if out is None:
            self.stdout.write(done.content.decode("utf-8"), ending="")
        else:
            people = len(done.records)
            self.stderr.write(f"{out}: {people} people, access log entry {done.entry}")


_OPTION = {"finalita": "purpose", "riferimento_pratica": "case"}
