"""URLs of the follow-up pages, under /uppfoljning/ (namespace "followup")."""

from django.urls import path

from . import views_followup as views

app_name = "followup"

urlpatterns = [
    path("utvardering/", views.evaluation_list, name="evaluations"),
    path("utvardering/resultat/", views.outcomes, name="outcomes"),
    path("utvardering/grupp/<uuid:public_id>/", views.group_evaluation, name="group_evaluation"),
    path(
        "utvardering/grupp/<uuid:public_id>/svar/<uuid:instrument_id>/",
        views.answer_create,
        name="answer_create",
    ),
    path("utvardering/grupp/<uuid:public_id>/lank/", views.link_create, name="link_create"),
    # No login: the foster family's one-time link. The token is the only key.
    path("svar/klart/", views.public_answer_done, name="public_answer_done"),
    path("svar/<str:token>/", views.public_answer, name="public_answer"),
    path("samverkan/", views.cooperation_overview, name="cooperation"),
    path("samverkan/moten/ny/", views.meeting_create, name="meeting_create"),
    path("samverkan/moten/<uuid:public_id>/", views.meeting_detail, name="meeting_detail"),
    path("samverkan/moten/<uuid:public_id>/punkt/", views.agenda_item_create, name="agenda_item_create"),
    path("samverkan/moten/<uuid:public_id>/protokoll/", views.meeting_minutes, name="meeting_minutes"),
    path("samverkan/moten/<uuid:public_id>/beslut/", views.decision_create, name="decision_create"),
    path(
        "samverkan/moten/<uuid:public_id>/beslut/<int:decision_id>/klart/",
        views.decision_done,
        name="decision_done",
    ),
    path("samverkan/andringar/ny/", views.amendment_create, name="amendment_create"),
    path("samverkan/andringar/<uuid:public_id>/", views.amendment_detail, name="amendment_detail"),
    path("kontakter/", views.contact_list, name="contacts"),
    path("kontakter/ny/", views.contact_create, name="contact_create"),
    path("kontakter/<uuid:public_id>/", views.contact_edit, name="contact_edit"),
    path("kontakter/import/", views.contact_import, name="contact_import"),
    path("kontakter/import/<uuid:public_id>/", views.contact_import_preview, name="contact_import_preview"),
    path("kontakter/export.<str:file_format>", views.contact_export, name="contact_export"),
    path("frukostmoten/", views.information_list, name="information"),
    path("frukostmoten/ny/", views.information_create, name="information_create"),
    path("frukostmoten/<uuid:public_id>/", views.information_detail, name="information_detail"),
    path("frukostmoten/<uuid:public_id>/inbjudan/", views.information_invite, name="information_invite"),
    path("frukostmoten/<uuid:public_id>/anmalan/", views.information_signup, name="information_signup"),
    path("frukostmoten/<uuid:public_id>/narvaro/", views.information_attendance, name="information_attendance"),
    path("rapport/", views.report, name="report"),
    path("rapport/skapa/", views.report_generate, name="report_generate"),
    path("rapport/<uuid:public_id>/", views.report_status, name="report_status"),
    path("rapport/<uuid:public_id>/pdf/", views.report_download, name="report_download"),
]
