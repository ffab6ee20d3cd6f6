"""Failed logins belong in the access log too (loggkontroll looks for guessing)."""

from django.contrib.auth import get_user_model

from .models import AccessLogEntry
from .services import access_log_record


def log_failed_login(sender, credentials, request=None, **kwargs):
    attempted = credentials.get("username", "")
    user = get_user_model().objects.filter(username=attempted).first()
    # access_log_record scrubs the name: people do type their personnummer as username.
    entry_user = user or get_user_model()(username=attempted)
    access_log_record(user=entry_user, action=AccessLogEntry.Action.FAILED_LOGIN, what="Inloggning")
