from django.urls import path

from . import views

app_name = "groups"

urlpatterns = [
    path("", views.group_list, name="list"),
    path("ny/", views.group_create, name="create"),
    path("vantelista/", views.waiting_list, name="waiting_list"),
    path("vantelista/<uuid:public_id>/flytta/", views.waiting_list_move, name="waiting_list_move"),
    path("kalender/", views.calendar_month, name="calendar"),
    path("kalender/ny-lank/", views.calendar_token_renew, name="calendar_token_renew"),
    path("kalender/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("<uuid:public_id>/", views.group_detail, name="detail"),
    path("<uuid:public_id>/status/", views.group_action, name="action"),
    path("<uuid:public_id>/stall-in/", views.group_cancel, name="cancel"),
    path("<uuid:public_id>/avsluta/", views.group_close, name="close"),
    path("<uuid:public_id>/placera/", views.group_place, name="place"),
    path("<uuid:public_id>/dela/", views.weekend_split, name="split"),
    path("<uuid:public_id>/narvarolista.pdf", views.attendance_pdf, name="attendance_pdf"),
    path("<uuid:public_id>/placeringar/<int:placement_id>/ta-bort/", views.placement_remove, name="placement_remove"),
    path("<uuid:public_id>/placeringar/<int:placement_id>/besok/", views.visit_edit, name="visit"),
    path(
        "<uuid:public_id>/placeringar/<int:placement_id>/paminnelser/",
        views.family_reminders_edit,
        name="family_reminders",
    ),
    path("<uuid:public_id>/traffar/<int:meeting_id>/flytta/", views.meeting_move, name="meeting_move"),
    path("<uuid:public_id>/traffar/<int:meeting_id>/narvaro/", views.attendance, name="attendance"),
]
