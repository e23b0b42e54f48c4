# SPDX-License-Identifier: EUPL-1.2
from django.urls import path

from interscambio.operations import health, metrics

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.view, name="metrics"),
]
