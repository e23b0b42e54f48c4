# SPDX-License-Identifier: EUPL-1.2
"""The outcomes a discrepancy may be resolved with (INTERSCAMBIO_QUEUE_OUTCOMES), and the
answers a domicile check may get."""

from __future__ import annotations

from typing import Final

from django.conf import settings

CHECK_RESULTS: Final = {
    "dimora_confermata": "Dimora abituale confermata",
    "dimora_non_confermata": "Dimora abituale non confermata",
    "non_reperibile": "Persona non trovata all'indirizzo",
}


def outcomes() -> dict[str, str]:
    """Code to label, in the configured order."""
    return dict(settings.QUEUE_OUTCOMES)


def label(code: str) -> str:
    return outcomes().get(code, code)
