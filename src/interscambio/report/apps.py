# SPDX-License-Identifier: EUPL-1.2
from django.apps import AppConfig


class ReportConfig(AppConfig):
    name = "interscambio.report"
    label = "report"
    verbose_name = "Rapporto trimestrale"
