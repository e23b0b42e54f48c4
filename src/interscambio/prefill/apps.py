# SPDX-License-Identifier: EUPL-1.2
from django.apps import AppConfig


class PrefillConfig(AppConfig):
    name = "interscambio.prefill"
    verbose_name = "Domande precompilate"
