from django.urls import path

from . import views

app_name = "citywide"

urlpatterns = [
    path("efterfragan/", views.dashboard, name="demand"),
    path("efterfragan/export.<str:file_format>", views.demand_export, name="demand_export"),
    path("nationell-statistik/", views.national, name="national"),
    path("nationell-statistik/statistik.csv", views.national_csv, name="national_csv"),
    path("nationell-statistik/datapackage.json", views.national_datapackage, name="national_datapackage"),
    path("utvardering/", views.evaluation_comparison, name="evaluation_comparison"),
    path("utvardering/var-verksamhet/", views.evaluation_own, name="evaluation_own"),
    path("utvardering/barn/", views.participant_evaluations, name="participant_evaluations"),
    path(
        "utvardering/barn/<uuid:public_id>/<uuid:instrument_id>/",
        views.participant_answer,
        name="participant_answer",
    ),
]
