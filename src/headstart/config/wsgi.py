"""WSGI entry point, served by gunicorn through `headstart serve`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "headstart.config.settings")
application = get_wsgi_application()
