from django.urls import path

from . import views

app_name = "composition"

urlpatterns = [
    path("", views.suggest, name="suggest"),
    path("hansyn/", views.child_relations, name="child_relations"),
    path("hansyn/<uuid:public_id>/ta-bort/", views.child_relation_delete, name="child_relation_delete"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("grupp/<uuid:public_id>/godta/", views.accept, name="accept"),
    path("grupp/<uuid:public_id>/avvisa/", views.reject, name="reject"),
]
