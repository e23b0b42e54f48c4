# SPDX-License-Identifier: EUPL-1.2
from django.conf import settings
from django.urls import include, path

from interscambio.portal.views import consult, exchange, login, pages, queue, supervise
from interscambio.report import views as report_views

app_name = "portal"

urlpatterns = [
    path("", pages.home, name="home"),
    path("privacy/", pages.privacy, name="privacy"),
    path("accesso/", login.PasswordStep.as_view(), name="login"),
    path("accesso/codice/", login.second_factor, name="second-factor"),
    path("accesso/attivazione/", login.enroll, name="enroll"),
    path("uscita/", login.logout, name="logout"),
    path("registro/", supervise.entries, name="log"),
    path("registro/anomalie/", supervise.anomalies, name="anomalies"),
    path("registro/esportazione/", supervise.export, name="log-export"),
    path("scambio/", exchange.overview, name="exchange"),
    path("rapporto/", report_views.page, name="report"),
    path("lavoro/", queue.queue, name="queue"),
    path("lavoro/gruppo/", queue.bulk, name="queue-bulk"),
    path("lavoro/<int:pk>/", queue.detail, name="queue-detail"),
    path("lavoro/<int:pk>/azione/", queue.act, name="queue-act"),
]
if settings.NODE_ROLE == "comune":
    urlpatterns += [
        path("consultazione/", consult.search, name="search"),
        path("consultazione/persone/<str:registry_id>/", consult.person, name="person"),
        path(
            "consultazione/persone/<str:registry_id>/precompilazione.<str:kind>",
            consult.prefill,
            name="prefill",
        ),
    ]
if settings.OIDC_ENABLED:
    urlpatterns.append(path("oidc/", include("mozilla_django_oidc.urls")))
