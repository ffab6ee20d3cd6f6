from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "consent"

    def ready(self):
        from django.contrib.auth.signals import user_login_failed

        from .receivers import log_failed_login

        user_login_failed.connect(log_failed_login, dispatch_uid="consent_log_failed_login")
