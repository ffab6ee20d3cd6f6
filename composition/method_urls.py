from django.urls import path

from . import views

app_name = "methods"

urlpatterns = [
    path("", views.method_library, name="library"),
    path("<uuid:public_id>/", views.method_detail, name="detail"),
    path("<uuid:public_id>/andra/", views.method_edit, name="edit"),
    path("<uuid:public_id>/avveckla/", views.method_retire, name="retire"),
    path("<uuid:public_id>/ta-i-bruk/", views.method_reinstate, name="reinstate"),
    path("manualer/<uuid:public_id>/", views.manual_download, name="manual_download"),
    path("grupper/<uuid:public_id>/", views.group_method, name="group_method"),
]
