from django.urls import path

from meedoen.accounts.views import (
    LoginView,
    LogoutView,
    PasswordSetView,
    password_set_done,
    user_detail,
    user_new,
    users,
)

app_name = "accounts"
urlpatterns = [
    path("inloggen/", LoginView.as_view(), name="login"),
    path("uitloggen/", LogoutView.as_view(), name="logout"),
    path("wachtwoord/<uidb64>/<token>/", PasswordSetView.as_view(), name="password_set"),
    path("wachtwoord/ingesteld/", password_set_done, name="password_set_done"),
    path("beheer/gebruikers/", users, name="users"),
    path("beheer/gebruikers/nieuw/", user_new, name="user_new"),
    path("beheer/gebruikers/<int:user_id>/", user_detail, name="user"),
]
