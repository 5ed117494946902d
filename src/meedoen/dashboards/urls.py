from django.urls import path

from meedoen.dashboards.views import dashboard

app_name = "dashboards"
urlpatterns = [path("dashboard/", dashboard, name="dashboard")]
