"""How the consent app hooks into the apps below it; imported at start-up (partnership/apps.py)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver

from partnership.models import AccessLogEntry
from partnership.services import access_log_record
from referrals.gate import install_gate
from referrals.purge import purge_step_register

from .gate import referral_consent_decision
from .models import ConcernReport, GuardianConsent

# The referral lifecycle asks this rule before a child becomes ready, waits or is placed.
install_gate(referral_consent_decision)


@receiver(user_login_failed, dispatch_uid="consent_log_failed_login")
def log_failed_login(sender, credentials, request=None, **kwargs):
    """Failed logins belong in the access log too (loggkontroll looks for guessing)."""
    attempted = credentials.get("username", "")
    user = get_user_model().objects.filter(username=attempted).first()
    # access_log_record scrubs the name: people do type their personnummer as username.
    entry_user = user or get_user_model()(username=attempted)
    access_log_record(user=entry_user, action=AccessLogEntry.Action.FAILED_LOGIN, what="Inloggning")


def purge_consents_and_concerns(referral, counts: dict, files: list) -> None:
    """When the child's data is purged (referrals/purge.py): the consents and their scans go; a
    concern report keeps that it was made (and its legal reference), not what it said."""
    consents = GuardianConsent.objects.filter(referral=referral)
    files.extend(name for name in consents.values_list("document", flat=True) if name)
    counts["consents"] = consents.delete()[0]
    counts["concern_reports"] = (
        ConcernReport.objects.filter(referral=referral).exclude(justification="").update(justification="")
    )


purge_step_register(purge_consents_and_concerns)
