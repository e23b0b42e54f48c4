# SPDX-License-Identifier: EUPL-1.2
from django.apps import AppConfig


class RegistryConfig(AppConfig):
    verbose_name = "Anagrafe"
    name = "interscambio.registry"
