# SPDX-License-Identifier: EUPL-1.2
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("interscambio.exchange.urls")),
]
