# SPDX-License-Identifier: EUPL-1.2
from django.urls import path

from interscambio.exchange import views
from interscambio.exchange.transport.api import FLOWS_PATH

urlpatterns = [path(FLOWS_PATH, views.receive_flow, name="receive-flow")]
