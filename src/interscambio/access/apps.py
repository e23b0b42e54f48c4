# SPDX-License-Identifier: EUPL-1.2
from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "interscambio.access"
    verbose_name = "Accessi e autorizzazioni"
