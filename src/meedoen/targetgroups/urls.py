from django.urls import path

from meedoen.targetgroups.views import comparison

app_name = "targetgroups"
urlpatterns = [
    path("doelgroepen/", comparison, name="comparison"),
]
