# SPDX-License-Identifier: EUPL-1.2
from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save


def _forget_clients(**_: object) -> None:
    from interscambio.api import clients

    clients.forget()


class ApiConfig(AppConfig):
    name = "interscambio.api"
    verbose_name = "API di consultazione e verifica"

    def ready(self) -> None:
        from interscambio.access.models import Agreement, ApiClient, Office

        # What decides whether a client may call; a change shows at once in this process.
        for model in (ApiClient, Office, Agreement):
            post_save.connect(_forget_clients, sender=model, dispatch_uid=f"forget-{model}")
            post_delete.connect(_forget_clients, sender=model, dispatch_uid=f"forget-{model}-d")
        m2m_changed.connect(
            _forget_clients, sender=Agreement.offices.through, dispatch_uid="forget-agreement-m2m"
        )
