from django.urls import path

from meedoen.web.branding import logo, theme

app_name = "web"
urlpatterns = [
    path("huisstijl/logo/", logo, name="logo"),
    path("huisstijl/thema.css", theme, name="theme"),
]
