from django.urls import path

from meedoen.dashboards.views import coverage, dashboard, signals, wijk

app_name = "dashboards"
urlpatterns = [
    path("dashboard/", dashboard, name="dashboard"),
    path("dashboard/dekking/", coverage, name="coverage"),
    path("dashboard/signalen/", signals, name="signals"),
    path("dashboard/wijk/<str:code>/", wijk, name="wijk"),
]
