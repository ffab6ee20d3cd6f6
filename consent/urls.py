from django.urls import path

from . import views

app_name = "consent"

urlpatterns = [
    path("logg/", views.access_log, name="access_log"),
    path("logg/kontroll/", views.log_review_create, name="log_review_create"),
    path("logg/kontroll/<int:review_id>/", views.log_review, name="log_review"),
]
