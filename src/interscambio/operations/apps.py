# SPDX-License-Identifier: EUPL-1.2
from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "interscambio.operations"
    verbose_name = "Esercizio del nodo"
