from django.urls import path

from meedoen.dashboards.views import coverage, dashboard

app_name = "dashboards"
urlpatterns = [
    path("dashboard/", dashboard, name="dashboard"),
    path("dashboard/dekking/", coverage, name="coverage"),
]
