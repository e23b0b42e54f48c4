# SPDX-License-Identifier: EUPL-1.2
from django.apps import AppConfig


class NodeConfig(AppConfig):
    verbose_name = "Nodo"
    name = "interscambio.node"
