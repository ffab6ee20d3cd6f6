from django.urls import path

from . import views

app_name = "referrals"

urlpatterns = [
    path("", views.referral_list, name="list"),
    path("ny/", views.referral_create, name="create"),
    path("sok/", views.referral_identity_search, name="identity_search"),
    path("<uuid:public_id>/", views.referral_detail, name="detail"),
    path("<uuid:public_id>/status/", views.referral_transition, name="transition"),
    path("<uuid:public_id>/vantelista/bekrafta/", views.waiting_list_confirm, name="waiting_list_confirm"),
    path("<uuid:public_id>/vardnadshavare/ny/", views.guardian_add, name="guardian_add"),
    path("<uuid:public_id>/vardnadshavare/<int:guardian_id>/", views.guardian_change, name="guardian_change"),
    path("gallring/", views.purge_due_list, name="purge_due"),
    path("<uuid:public_id>/gallra/", views.referral_purge_now, name="purge"),
    path("<uuid:public_id>/aterfor/", views.referral_return, name="return"),
    path("aterforda/", views.return_dossier_list, name="return_dossiers"),
    path("aterforda/<uuid:public_id>/", views.return_dossier_download, name="return_dossier_download"),
    path("intresse/", views.interest_list, name="interest_list"),
    path("intresse/ny/", views.interest_create, name="interest_create"),
    path("intresse/<uuid:public_id>/bekrafta/", views.interest_confirm, name="interest_confirm"),
    path("intresse/<uuid:public_id>/avvisa/", views.interest_reject, name="interest_reject"),
]
