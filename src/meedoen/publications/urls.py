from django.urls import path

from meedoen.publications.views import publication, publications

app_name = "publications"
urlpatterns = [
    path("publicaties/", publications, name="list"),
    path("publicaties/<int:publication_id>/", publication, name="detail"),
]
