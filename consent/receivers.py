"""How the consent app hooks into the apps below it; imported at start-up (partnership/apps.py)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver

from partnership.models import AccessLogEntry
from partnership.services import access_log_record
from partnership.setbased import AmongIds, delete_returning, update_returning
from referrals.gate import install_gate
from referrals.purge import count_per_referral, purge_counts_add, purge_step_register

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


def purge_consents_and_concerns(referral_ids: list[int], counts: dict, files: dict) -> None:
    """When the children's data is purged (referrals/purge.py): the consents and their scans go; a
    concern report keeps that it was made (and its legal reference), not what it said."""
    consents = GuardianConsent.objects.filter(AmongIds("referral_id", referral_ids))
    deleted = delete_returning(consents, "referral", "document")
    for referral_id, name in deleted:
        if name:
            files[referral_id].append(name)
    purge_counts_add(counts, "consents", count_per_referral(deleted))
    concerns = ConcernReport.objects.filter(AmongIds("referral_id", referral_ids)).exclude(justification="")
    cleared = update_returning(concerns, {"justification": ""}, "referral")
    purge_counts_add(counts, "concern_reports", count_per_referral(cleared))


purge_step_register(purge_consents_and_concerns)
