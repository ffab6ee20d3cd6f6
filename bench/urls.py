"""The app's URLs and the bench's two baselines, served only under bench/settings.py."""

from django.urls import path

from config.urls import urlpatterns as app_urlpatterns

from . import views

urlpatterns = [
    path("bench/template-only/", views.template_only, name="bench_template_only"),
    path("bench/naive-list/", views.NaiveReferralList.as_view(), name="bench_naive_list"),
    *app_urlpatterns,
]
