"""TAXII 2.1 paths under /taxii2/: discovery, the API root "api", its collections."""

from django.urls import path

from headstart.faces.taxii import views

app_name = "taxii"

urlpatterns = [
    path("", views.discovery, name="discovery"),
    path("api/", views.api_root, name="api-root"),
    path("api/collections/", views.collections, name="collections"),
    path("api/collections/<str:cid>/", views.collection, name="collection"),
    path("api/collections/<str:cid>/objects/", views.objects, name="objects"),
    path("api/collections/<str:cid>/objects/<str:object_id>/", views.object_by_id, name="object"),
    path("api/collections/<str:cid>/objects/<str:object_id>/versions/", views.object_versions, name="versions"),
    path("api/collections/<str:cid>/manifest/", views.manifest, name="manifest"),
]
