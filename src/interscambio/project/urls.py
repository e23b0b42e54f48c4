# SPDX-License-Identifier: EUPL-1.2
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django_otp.admin import OTPAdminSite

from interscambio.portal.views.pages import security_txt

# The admin site asks for the second factor too: it is a way into the same data.
admin.site.__class__ = OTPAdminSite

# The APIs first: they take hundreds of calls a second, each resolved without trying the
# portal's patterns before it.
urlpatterns = [path("", include("interscambio.api.urls"))] if settings.NODE_ROLE == "comune" else []
urlpatterns += [
    path("admin/", admin.site.urls),
    path(".well-known/security.txt", security_txt, name="security-txt"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("interscambio.operations.urls")),
    path("", include("interscambio.exchange.urls")),
    path("", include("interscambio.portal.urls")),
]
