from django.urls import path

from meedoen.health.views import health

app_name = "health"
urlpatterns = [path("", health, name="health")]
