from django.urls import path

from . import views

app_name = "methods"

urlpatterns = [
    path("", views.method_library, name="library"),
    path("<uuid:public_id>/", views.method_detail, name="detail"),
    path("manualer/<uuid:public_id>/", views.manual_download, name="manual_download"),
    path("grupper/<uuid:public_id>/", views.group_method, name="group_method"),
]
