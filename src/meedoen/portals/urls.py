from django.urls import path

from meedoen.portals.views import start

app_name = "portals"
urlpatterns = [path("", start, name="start")]
