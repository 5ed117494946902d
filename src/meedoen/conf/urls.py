from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from meedoen.activities.urls import api_urlpatterns

urlpatterns = [
    path("health/", include("meedoen.health.urls")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("", include("meedoen.web.urls")),
    path("", include("meedoen.accounts.urls")),
    path("", include("meedoen.portals.urls")),
    path("", include("meedoen.intakes.urls")),
    path("", include("meedoen.activities.urls")),
    path("", include("meedoen.audits.urls")),
    path("", include("meedoen.households.urls")),
    path("", include("meedoen.linkages.urls")),
    path("", include("meedoen.publications.urls")),
    path("", include("meedoen.dashboards.urls")),
    path("api/v1/", include(api_urlpatterns)),
]
