from django.urls import path

from meedoen.residents import oidc_views, processing_views, requests_views, views

app_name = "residents"
urlpatterns = [
    path("mijn/", views.mine, name="mine"),
    # Signing in and out with DigiD (OpenID Connect); 404 while it is not configured.
    path("mijn/inloggen/", oidc_views.ResidentSignInView.as_view(), name="oidc_sign_in"),
    path("mijn/oidc/terug/", oidc_views.ResidentCallbackView.as_view(), name="oidc_callback"),
    path("mijn/uitloggen/", oidc_views.ResidentSignOutView.as_view(), name="oidc_sign_out"),
    path("mijn/toestemmingen/", views.consents, name="consents"),
    path("mijn/export/", views.export, name="export"),
    path("mijn/verzoeken/", requests_views.resident_requests, name="requests"),
    path("mijn/verzoeken/nieuw/", requests_views.resident_request_new, name="request_new"),
    path("mijn/verzoeken/<int:request_id>/", requests_views.resident_request, name="request"),
    path("verzoeken/", requests_views.officer_requests, name="officer_requests"),
    path("verzoeken/<int:request_id>/", requests_views.officer_request, name="officer_request"),
    path("mijn/verwerkingen/", processing_views.processing, name="processing"),
]
