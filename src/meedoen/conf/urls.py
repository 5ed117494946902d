from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from meedoen.activities.urls import api_urlpatterns
from meedoen.cases.api import CaseFamilyAPI, CaseListAPI
from meedoen.dashboards.api import IndicatorListAPI
from meedoen.earlysignals.api import ContactAPI, WorklistAPI
from meedoen.publications.api import PublicationDetailAPI, PublicationListAPI
from meedoen.residents.api import MyDataAPI, MyProcessingAPI
from meedoen.web.openapi import openapi

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
    path("", include("meedoen.targetgroups.urls")),
    path("", include("meedoen.cases.urls")),
    path("", include("meedoen.earlysignals.urls")),
    path("", include("meedoen.residents.urls")),
    path("api/v1/", include(api_urlpatterns)),
    path(
        "api/v1/publications/",
        login_not_required(PublicationListAPI.as_view()),
        name="publications-api-list",
    ),
    path(
        "api/v1/publications/<int:publication_id>/",
        login_not_required(PublicationDetailAPI.as_view()),
        name="publications-api-detail",
    ),
    path(
        "api/v1/indicators/",
        login_not_required(IndicatorListAPI.as_view()),
        name="indicators-api-list",
    ),
    path("api/v1/casussen/", login_not_required(CaseListAPI.as_view()), name="cases-api-list"),
    path(
        "api/v1/casussen/<int:case_id>/gezin/",
        login_not_required(CaseFamilyAPI.as_view()),
        name="cases-api-family",
    ),
    path(
        "api/v1/vroegsignalen/",
        login_not_required(WorklistAPI.as_view()),
        name="earlysignals-api-list",
    ),
    path(
        "api/v1/vroegsignalen/<int:household_id>/contacten/",
        login_not_required(ContactAPI.as_view()),
        name="earlysignals-api-contacts",
    ),
    path("api/v1/mij/", login_not_required(MyDataAPI.as_view()), name="residents-api-mine"),
    path(
        "api/v1/mij/verwerkingen/",
        login_not_required(MyProcessingAPI.as_view()),
        name="residents-api-processing",
    ),
    path("api/v1/openapi.json", openapi, name="openapi"),
]
