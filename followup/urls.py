"""URLs of the follow-up pages, under /uppfoljning/ (namespace "followup")."""

from django.urls import path

from .views import cooperation, evaluation, information, reference, report

app_name = "followup"

urlpatterns = [
    path("utvardering/", evaluation.evaluation_list, name="evaluations"),
    path("utvardering/resultat/", evaluation.outcomes, name="outcomes"),
    path("utvardering/grupp/<uuid:public_id>/", evaluation.group_evaluation, name="group_evaluation"),
    path(
        "utvardering/grupp/<uuid:public_id>/svar/<uuid:instrument_id>/",
        evaluation.answer_create,
        name="answer_create",
    ),
    path("utvardering/grupp/<uuid:public_id>/lank/", evaluation.link_create, name="link_create"),
    # No login: the foster family's one-time link. The token is the only key.
    path("svar/klart/", evaluation.public_answer_done, name="public_answer_done"),
    path("svar/<str:token>/", evaluation.public_answer, name="public_answer"),
    path("samverkan/", cooperation.cooperation_overview, name="cooperation"),
    path("referensgrupper/", reference.reference_groups, name="reference_groups"),
    path("referensgrupper/<uuid:public_id>/", reference.reference_group, name="reference_group"),
    path("referensgrupper/<uuid:public_id>/ledamot/", reference.reference_member_add, name="reference_member_add"),
    path(
        "referensgrupper/<uuid:public_id>/ledamot/<uuid:member_id>/",
        reference.reference_member,
        name="reference_member",
    ),
    path(
        "referensgrupper/<uuid:public_id>/ledamot/<uuid:member_id>/avsluta/",
        reference.reference_member_end,
        name="reference_member_end",
    ),
    path(
        "referensgrupper/<uuid:public_id>/moten/ny/",
        reference.reference_meeting_create,
        name="reference_meeting_create",
    ),
    path("samverkan/moten/ny/", cooperation.meeting_create, name="meeting_create"),
    path("samverkan/moten/<uuid:public_id>/", cooperation.meeting_detail, name="meeting_detail"),
    path("samverkan/moten/<uuid:public_id>/punkt/", cooperation.agenda_item_create, name="agenda_item_create"),
    path("samverkan/moten/<uuid:public_id>/protokoll/", cooperation.meeting_minutes, name="meeting_minutes"),
    path("samverkan/moten/<uuid:public_id>/beslut/", cooperation.decision_create, name="decision_create"),
    path(
        "samverkan/moten/<uuid:public_id>/beslut/<int:decision_id>/klart/",
        cooperation.decision_done,
        name="decision_done",
    ),
    path("samverkan/andringar/ny/", cooperation.amendment_create, name="amendment_create"),
    path("samverkan/andringar/<uuid:public_id>/", cooperation.amendment_detail, name="amendment_detail"),
    path("kontakter/", information.contact_list, name="contacts"),
    path("kontakter/ny/", information.contact_create, name="contact_create"),
    path("kontakter/<uuid:public_id>/", information.contact_edit, name="contact_edit"),
    path("kontakter/import/", information.contact_import, name="contact_import"),
    path("kontakter/import/<uuid:public_id>/", information.contact_import_preview, name="contact_import_preview"),
    path("kontakter/export.<str:file_format>", information.contact_export, name="contact_export"),
    path("frukostmoten/", information.information_list, name="information"),
    path("frukostmoten/ny/", information.information_create, name="information_create"),
    path("frukostmoten/<uuid:public_id>/", information.information_detail, name="information_detail"),
    path("frukostmoten/<uuid:public_id>/inbjudan/", information.information_invite, name="information_invite"),
    path("frukostmoten/<uuid:public_id>/anmalan/", information.information_signup, name="information_signup"),
    path("frukostmoten/<uuid:public_id>/narvaro/", information.information_attendance, name="information_attendance"),
    path("rapport/", report.report, name="report"),
    path("rapport/skapa/", report.report_generate, name="report_generate"),
    path("rapport/<uuid:public_id>/", report.report_status, name="report_status"),
    path("rapport/<uuid:public_id>/pdf/", report.report_download, name="report_download"),
]
