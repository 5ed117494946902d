from django.urls import path

from meedoen.cases.views import (
    break_glass_new,
    case_manage,
    case_new,
    caseload,
    family,
    foodbank,
    review,
    review_queue,
)

app_name = "cases"
urlpatterns = [
    path("casussen/", caseload, name="caseload"),
    path("casussen/nieuw/", case_new, name="new"),
    path("casussen/doorbreken/", break_glass_new, name="break_glass"),
    path("casussen/<int:case_id>/", family, name="family"),
    path("casussen/<int:case_id>/beheer/", case_manage, name="manage"),
    path("casussen/<int:case_id>/voedselbank/", foodbank, name="foodbank"),
    # The privacy officer's review queue sits with the audit log it belongs to.
    path("logboek/doorbraken/", review_queue, name="reviews"),
    path("logboek/doorbraken/<int:case_id>/", review, name="review"),
]
