from django.urls import path

from meedoen.targetgroups.views import comparison, run, run_status

app_name = "targetgroups"
urlpatterns = [
    path("doelgroepen/", comparison, name="comparison"),
    path("doelgroepen/runs/<int:run_id>/", run, name="run"),
    path("doelgroepen/runs/<int:run_id>/status/", run_status, name="run_status"),
]
