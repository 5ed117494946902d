from django.contrib.auth.decorators import login_not_required
from django.urls import path, re_path

from meedoen.activities import api
from meedoen.activities.views import (
    amend,
    detail,
    queue,
    register,
    request_activity,
    reviewers,
)

app_name = "activities"
urlpatterns = [
    path("verwerkingen/", register, name="register"),
    path("verwerkingen/aanvragen/", request_activity, name="request"),
    path("verwerkingen/wachtrij/", queue, name="queue"),
    path("verwerkingen/<int:activity_id>/", detail, name="detail"),
    path("verwerkingen/<int:activity_id>/wijzigen/", amend, name="amend"),
    path("verwerkingen/<int:activity_id>/beoordelaars/", reviewers, name="reviewers"),
]

# /api/v1/…: the API answers an anonymous caller itself (403 as JSON) instead of
# LoginRequiredMiddleware's redirect to the login page.
api_urlpatterns = (
    [
        path("activities/", login_not_required(api.ActivityListAPI.as_view()), name="list"),
        path(
            "activities/<int:activity_id>/",
            login_not_required(api.ActivityDetailAPI.as_view()),
            name="detail",
        ),
        path(
            "activities/<int:activity_id>/amend",
            login_not_required(api.ActivityAmendAPI.as_view()),
            name="amend",
        ),
        re_path(
            r"^activities/(?P<activity_id>[0-9]+)/(?P<decision>approve|refuse|revoke)/?$",
            login_not_required(api.ActivityDecisionAPI.as_view()),
            name="decision",
        ),
    ],
    "activities-api",
)
