"""Sign-in and sign-out in the access log; imported at start-up (partnership/apps.py).

A sign-in is complete when the second factor passes: partnership/views.py logs it there. Only
where two-factor is off (the local demo) is the password the whole sign-in, logged here.
Failed sign-ins are logged by consent/receivers.py (the typed username, scrubbed; never the
password). Two-factor enrolment and removal and membership changes are logged where they happen
(partnership/services.py, partnership/admin.py), with who did them.
"""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from .models import AccessLogEntry
from .services import access_log_record


@receiver(user_logged_in, dispatch_uid="partnership_log_sign_in")
def log_sign_in_without_two_factor(sender, request, user, **kwargs):
    if not settings.OTP_REQUIRED:
        access_log_record(user=user, action=AccessLogEntry.Action.SIGN_IN, what="Inloggning")


@receiver(user_logged_out, dispatch_uid="partnership_log_sign_out")
def log_sign_out(sender, request, user, **kwargs):
    if user is not None and user.is_authenticated:
        access_log_record(user=user, action=AccessLogEntry.Action.SIGN_OUT, what="Utloggning")
