"""WSGI entry point, served by gunicorn through `headstart serve`.

Ready package downloads are answered by faces.api.fast_download (the release-time rush);
every other request, and every download it does not serve, by Django.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "headstart.config.settings")
_django = get_wsgi_application()

from headstart.faces.api.fast_download import FastPackageDownloads

application = FastPackageDownloads(_django)
