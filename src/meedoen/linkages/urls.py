from django.urls import path, re_path

from meedoen.linkages.views import case, queue, run, run_status, runs

app_name = "linkages"
urlpatterns = [
    path("koppelingen/", runs, name="runs"),
    path("koppelingen/<int:run_id>/", run, name="run"),
    path("koppelingen/<int:run_id>/status/", run_status, name="run_status"),
    path("koppelingen/beoordelen/<int:activity_id>/", queue, name="queue"),
    # A record awaiting review is opened by its review token (22 URL-safe characters), never
    # by its pseudonym in the activity's tables.
    re_path(
        r"^koppelingen/beoordelen/(?P<activity_id>[0-9]+)/(?P<source>[a-z0-9-]+)/"
        r"(?P<token>[A-Za-z0-9_-]{22})/$",
        case,
        name="case",
    ),
]
