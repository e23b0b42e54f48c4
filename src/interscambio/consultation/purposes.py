# SPDX-License-Identifier: EUPL-1.2
"""The purposes a consultation may have (a configured list) and the case reference it needs.

Both are asked before any result is shown and both go into the access log, so that a
supervisor can tell casework from curiosity.
"""

from __future__ import annotations

import re

from django.conf import settings


class PurposeError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def choices() -> list[tuple[str, str]]:
    return list(settings.CONSULTATION_PURPOSES.items())


def check(purpose: str, case_reference: str) -> tuple[str, str]:
    """The purpose and case reference, checked; PurposeError names the field at fault."""
    purpose, case_reference = purpose.strip(), case_reference.strip()
    if purpose not in settings.CONSULTATION_PURPOSES:
        raise PurposeError(
            "finalita",
            f"choose a purpose from the list ({', '.join(settings.CONSULTATION_PURPOSES)}); "
            f"{purpose!r} is not one"
            if purpose
            else "choose the purpose of the consultation",
        )
    if not case_reference:
        raise PurposeError("riferimento_pratica", "give the case reference (riferimento pratica)")
    if not re.fullmatch(settings.CONSULTATION_CASE_PATTERN, case_reference):
        raise PurposeError(
            "riferimento_pratica",
            f"{case_reference!r} is not a case reference: 3 to 100 letters, digits and / . _ -",
        )
    return purpose, case_reference
