# SPDX-License-Identifier: EUPL-1.2
import os
from importlib import import_module

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "interscambio.project.settings")
application = get_wsgi_application()
# Each worker imports the URL configuration, and so every view, now rather than while its first
# request waits.
import_module(settings.ROOT_URLCONF)
