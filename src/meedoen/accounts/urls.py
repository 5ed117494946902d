from django.urls import path

from meedoen.accounts.views import (
    LoginView,
    LogoutView,
    PasswordSetView,
    me,
    password_set_done,
    second_factor,
    user_detail,
    user_new,
    users,
)

app_name = "accounts"
urlpatterns = [
    path("inloggen/", LoginView.as_view(), name="login"),
    path("uitloggen/", LogoutView.as_view(), name="logout"),
    path("inloggen/code/", second_factor, name="second_factor"),
    path("account/", me, name="me"),
    path("wachtwoord/<uidb64>/<token>/", PasswordSetView.as_view(), name="password_set"),
    path("wachtwoord/ingesteld/", password_set_done, name="password_set_done"),
    path("beheer/gebruikers/", users, name="users"),
    path("beheer/gebruikers/nieuw/", user_new, name="user_new"),
    path("beheer/gebruikers/<int:user_id>/", user_detail, name="user"),
]
