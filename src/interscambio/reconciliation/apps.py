# SPDX-License-Identifier: EUPL-1.2
from django.apps import AppConfig


class ReconciliationConfig(AppConfig):
    name = "interscambio.reconciliation"
    verbose_name = "Riconciliazione"

    def ready(self) -> None:
        from interscambio.exchange.signals import flow_applied
        from interscambio.reconciliation.service import after_flow

        flow_applied.connect(after_flow, dispatch_uid="reconcile-after-flow")
