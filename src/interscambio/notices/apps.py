# SPDX-License-Identifier: EUPL-1.2
from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "interscambio.notices"
    verbose_name = "Avvisi ai residenti"
