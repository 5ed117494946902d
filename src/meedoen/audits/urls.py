from django.urls import path

from meedoen.audits.views import log

app_name = "audits"
urlpatterns = [
    path("logboek/", log, name="log"),
]
