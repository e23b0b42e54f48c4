# SPDX-License-Identifier: EUPL-1.2
from pathlib import Path

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "interscambio.portal"
    verbose_name = "Portale di consultazione"

    def ready(self) -> None:
        from django.conf import settings

        # WhiteNoise serves from the installed packages (finders) but wants this folder to exist.
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
        from interscambio.portal import signals  # noqa: F401  (connects the login log)
