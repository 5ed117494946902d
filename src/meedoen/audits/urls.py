from django.urls import path

from meedoen.audits.views import checkpoint_download, log, person_export, person_lookup

app_name = "audits"
urlpatterns = [
    path("logboek/", log, name="log"),
    path("logboek/controlepunt/", checkpoint_download, name="checkpoint_download"),
    path("logboek/persoon/", person_lookup, name="person_lookup"),
    path("logboek/export/", person_export, name="person_export"),
]
