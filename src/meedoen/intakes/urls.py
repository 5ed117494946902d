from django.urls import path

from meedoen.intakes.views import intake

app_name = "intakes"
urlpatterns = [path("inlezen/", intake, name="intake")]
