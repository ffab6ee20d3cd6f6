from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompositionConfig(AppConfig):
    name = "composition"
    verbose_name = _("Gruppsammansättning")
