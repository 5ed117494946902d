from django.urls import path

from meedoen.audits.views import (
    check,
    check_status,
    checkpoint_download,
    log,
    person_export,
    person_lookup,
)

app_name = "audits"
urlpatterns = [
    path("logboek/", log, name="log"),
    path("logboek/controle/<int:run_id>/", check, name="check"),
    path("logboek/controle/<int:run_id>/status/", check_status, name="check_status"),
    path("logboek/controlepunt/", checkpoint_download, name="checkpoint_download"),
    path("logboek/persoon/", person_lookup, name="person_lookup"),
    path("logboek/export/", person_export, name="person_export"),
]
