# SPDX-License-Identifier: EUPL-1.2
from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "interscambio.api"
    verbose_name = "API di consultazione e verifica"
