# SPDX-License-Identifier: EUPL-1.2
from django.apps import AppConfig


class PermitsConfig(AppConfig):
    verbose_name = "Permessi di soggiorno"
    name = "interscambio.permits"
