from django.contrib import admin
from django.urls import include, path

from headstart.faces.api.app import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path(".well-known/csaf/", include("headstart.faces.csaf_public")),
    path("taxii2/", include("headstart.faces.taxii.urls")),
    # Before the portal's: sign-in, second factor and passwords under allauth's URL names.
    path("", include("headstart.faces.portal.auth_urls")),
    path("", include("headstart.faces.portal.urls")),
]

# A database busy with another write answers 503 with Retry-After; any other fault Django's 500.
handler500 = "headstart.faces.busy.server_error"
