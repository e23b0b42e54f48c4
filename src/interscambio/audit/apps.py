# SPDX-License-Identifier: EUPL-1.2
from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "interscambio.audit"
    verbose_name = "Registro degli accessi"
