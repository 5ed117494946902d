from django.urls import path

from meedoen.households.views import builds, run, run_status, sql

app_name = "households"
urlpatterns = [
    path("huishoudens/", builds, name="builds"),
    path("huishoudens/<int:run_id>/", run, name="run"),
    path("huishoudens/<int:run_id>/status/", run_status, name="run_status"),
    path("sql/", sql, name="sql"),
]
