from django.urls import path

from meedoen.audits.views import checkpoint_download, log

app_name = "audits"
urlpatterns = [
    path("logboek/", log, name="log"),
    path("logboek/controlepunt/", checkpoint_download, name="checkpoint_download"),
]
