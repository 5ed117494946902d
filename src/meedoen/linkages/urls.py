from django.urls import path

from meedoen.linkages.views import case, queue, run, run_status, runs

app_name = "linkages"
urlpatterns = [
    path("koppelingen/", runs, name="runs"),
    path("koppelingen/<int:run_id>/", run, name="run"),
    path("koppelingen/<int:run_id>/status/", run_status, name="run_status"),
    path("koppelingen/beoordelen/<int:activity_id>/", queue, name="queue"),
    path(
        "koppelingen/beoordelen/<int:activity_id>/<str:source>/<str:record_id>/",
        case,
        name="case",
    ),
]
