from django.urls import path

from meedoen.publications.views import publication, publication_download, publications, table_new

app_name = "publications"
urlpatterns = [
    path("publicaties/", publications, name="list"),
    path("publicaties/<int:publication_id>/", publication, name="detail"),
    path("publicaties/<int:publication_id>/csv", publication_download, {"kind": "csv"}, name="csv"),
    path(
        "publicaties/<int:publication_id>/xlsx", publication_download, {"kind": "xlsx"}, name="xlsx"
    ),
    path("tabellen/nieuw/", table_new, name="build"),
]
