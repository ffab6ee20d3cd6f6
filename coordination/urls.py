from django.urls import path

from . import views

app_name = "coordination"

urlpatterns = [
    # Public, no login: the page of groups, its feeds and the interest form.
    path("stodgrupper/", views.public_list, name="public_list"),
    path("stodgrupper/hsds.json", views.public_hsds, name="hsds"),
    path("stodgrupper/<uuid:public_id>.ics", views.public_group_ical, name="group_ical"),
    path("stodgrupper/intresse/", views.interest_create, name="interest_create"),
    path("stodgrupper/intresse/kvitto/", views.interest_receipt, name="interest_receipt"),
    # Signed in.
    path("samordning/intresseanmalningar/", views.inbox, name="inbox"),
    path("samordning/intresseanmalningar/<uuid:public_id>/", views.interest_detail, name="interest_detail"),
    path("samordning/intresseanmalningar/<uuid:public_id>/ta-om-hand/", views.interest_take_up, name="take_up"),
    path("samordning/grupper/<uuid:public_id>/deltagare/", views.participants, name="participants"),
    path(
        "samordning/grupper/<uuid:public_id>/traffar/<int:meeting_id>/narvaro/",
        views.participant_attendance,
        name="participant_attendance",
    ),
    path(
        "samordning/grupper/<uuid:public_id>/deltagare/<uuid:participant_id>/besok/",
        views.participant_visit,
        name="participant_visit",
    ),
    path("samordning/grupper/<uuid:public_id>/oppna-sidan/", views.publication, name="publication"),
    path("samordning/staden/", views.city_overview, name="city_overview"),
    path("samordning/utskick/", views.planned_groups_mailing, name="mailing"),
    # The coordinator sets up providers and invites each one's first account.
    path("samordning/utforare/", views.provider_list, name="provider_list"),
    path("samordning/utforare/ny/", views.provider_create, name="provider_create"),
    path("samordning/utforare/<uuid:public_id>/", views.provider_detail, name="provider_detail"),
    path("samordning/utforare/<uuid:public_id>/andra/", views.provider_edit, name="provider_edit"),
    path("samordning/utforare/<uuid:public_id>/bjud-in/", views.staff_invite, name="staff_invite"),
    path(
        "samordning/inbjudningar/<uuid:public_id>/engangskod/",
        views.invitation_enrolment_code,
        name="invitation_enrolment_code",
    ),
    path("samordning/inbjudningar/<uuid:public_id>/skicka-igen/", views.invitation_resend, name="invitation_resend"),
]
