from django.urls import path

from . import views

app_name = "consent"

urlpatterns = [
    # On a referral's page: the district records and withdraws consent, Bris reports a concern.
    path("anmalningar/<uuid:public_id>/oro/", views.concern_create, name="concern"),
    path("anmalningar/<uuid:public_id>/samtycke/<int:guardian_id>/", views.consent_create, name="consent_create"),
    path(
        "anmalningar/<uuid:public_id>/samtycke/<int:consent_id>/aterkalla/",
        views.consent_withdraw,
        name="consent_withdraw",
    ),
    path(
        "anmalningar/<uuid:public_id>/samtycke/<int:consent_id>/dokument/",
        views.consent_document,
        name="consent_document",
    ),
    path("samtycke/logg/", views.access_log, name="access_log"),
    path("samtycke/logg/kontroll/", views.log_review_create, name="log_review_create"),
    path("samtycke/logg/kontroll/<int:review_id>/", views.log_review, name="log_review"),
]
