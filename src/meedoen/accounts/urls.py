from django.urls import path

from meedoen.accounts.views import LoginView, LogoutView

app_name = "accounts"
urlpatterns = [
    path("inloggen/", LoginView.as_view(), name="login"),
    path("uitloggen/", LogoutView.as_view(), name="logout"),
]
