from django.urls import path

from meedoen.earlysignals.views import household, monitor, review, unlinked, worklist

app_name = "earlysignals"
urlpatterns = [
    path("vroegsignalen/", worklist, name="worklist"),
    path("vroegsignalen/beoordelen/", unlinked, name="unlinked"),
    path("vroegsignalen/beoordelen/<str:token>/", review, name="review"),
    path("vroegsignalen/monitor/", monitor, name="monitor"),
    path("vroegsignalen/<int:household_id>/", household, name="household"),
]
