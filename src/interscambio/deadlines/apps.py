# SPDX-License-Identifier: EUPL-1.2
from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "interscambio.deadlines"
    verbose_name = "Scadenze anagrafiche"
