# SPDX-License-Identifier: EUPL-1.2
from django.http import HttpRequest, JsonResponse
from django.urls import path

from interscambio.api import openapi
from interscambio.api.views import consultation, verification


def described(request: HttpRequest) -> JsonResponse:
    return JsonResponse(openapi.spec(), json_dumps_params={"ensure_ascii": False})


urlpatterns = [
    path("api/v1/openapi.json", described, name="api-openapi"),
    path("api/v1/consultazione/ricerca", consultation.search, name="api-search"),
    path("api/v1/consultazione/persone/<str:registry_id>", consultation.person, name="api-person"),
    path("api/v1/verifica", verification.check, name="api-verify"),
]
