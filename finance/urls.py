from django.urls import path

from . import views

app_name = "finance"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("overenskommelse/ny/", views.agreement_create, name="agreement_create"),
    path("overenskommelse/<uuid:public_id>/andra/", views.agreement_change, name="agreement_change"),
    path("overenskommelse/<uuid:public_id>/budgetar/", views.schedule_create, name="schedule_create"),
    path("overenskommelse/<uuid:public_id>/slutavrakning/", views.settlement, name="settlement"),
    path("overenskommelse/<uuid:public_id>/slutavrakning/pdf/", views.settlement_pdf, name="settlement_pdf"),
    path("ar/<uuid:public_id>/", views.year_detail, name="year"),
    path("ar/<uuid:public_id>/stang/", views.year_close, name="year_close"),
    path("ar/<uuid:public_id>/ateroppna/", views.year_reopen, name="year_reopen"),
    path("ar/<uuid:public_id>/betalningar/", views.payments, name="payments"),
    path("ar/<uuid:public_id>/kostnader/ny/", views.cost_create, name="cost_create"),
    path("ar/<uuid:public_id>/redovisning/", views.report, name="report"),
    path("ar/<uuid:public_id>/redovisning/skapa/", views.report_generate, name="report_generate"),
    path("betalningar/<uuid:public_id>/betald/", views.payment_mark_paid, name="payment_mark_paid"),
    path("betalningar/<uuid:public_id>/ateroppna/", views.payment_reopen, name="payment_reopen"),
    path("kostnader/<uuid:public_id>/kvitto/", views.cost_receipt, name="cost_receipt"),
    path("kostnader/<uuid:public_id>/andra/", views.cost_change, name="cost_change"),
    path("kostnader/<uuid:public_id>/ta-bort/", views.cost_remove, name="cost_remove"),
    path("avgifter/", views.fees, name="fees"),
    path("avgifter/<uuid:public_id>/faktura/", views.fee_invoice, name="fee_invoice"),
    path("avgifter/<uuid:public_id>/betald/", views.fee_mark_paid, name="fee_mark_paid"),
    path("avgifter/<uuid:public_id>/makulera/", views.fee_void, name="fee_void"),
    path("resor/", views.travel, name="travel"),
    path("resor/ny/", views.travel_create, name="travel_create"),
    path("resor/stadsdel/<int:district_id>/pdf/", views.travel_district_pdf, name="travel_district_pdf"),
    path("redovisningar/<uuid:public_id>/status/", views.report_status, name="report_status"),
    path("redovisningar/<uuid:public_id>/pdf/", views.report_download, name="report_download"),
    path("logg/", views.audit_log, name="audit_log"),
]
