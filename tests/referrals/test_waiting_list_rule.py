"""A child waiting too long is not kept forever: after WAITING_LIST_REVIEW_DAYS on the waiting list
the district is asked to confirm; unconfirmed WAITING_LIST_CONFIRM_DAYS later the referral ends
with a reason and the purge clock starts. Shown on the Gallring page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from partnership.models import AccessLogEntry, Reminder, Role
from partnership.reminders import reminders_sweep_all
from referrals import retention
from referrals.models import Referral, ReferralStatus
from referrals.services import referral_transition
from referrals.tasks import purge_due_sweep
from tests.factories import make_agreement, make_referral, make_user
from tests.history import status_changes

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreement(db):
    today = timezone.localdate()
    return make_agreement(starts_on=today - datetime.timedelta(days=400), ends_on=today + datetime.timedelta(days=500))


def waiting_since(days: int, *, agreement) -> Referral:
    referral = make_referral(agreement=agreement)
    referral_transition(referral=referral, to_status=ReferralStatus.WAITING_LIST, by=make_user(Role.OPERATIONS_MANAGER))
    Referral.objects.filter(pk=referral.pk).update(status_changed_at=timezone.now() - datetime.timedelta(days=days))
    referral.refresh_from_db()
    return referral


def test_the_defaults_are_180_and_30_days(settings):
    assert (settings.WAITING_LIST_REVIEW_DAYS, settings.WAITING_LIST_CONFIRM_DAYS) == (180, 30)


def test_after_180_days_the_district_is_asked_to_confirm(agreement):
    early = waiting_since(179, agreement=agreement)
    asked = waiting_since(181, agreement=agreement)
    reminders_sweep_all()
    reminders = Reminder.objects.filter(kind="waiting_list_review")
    assert set(reminders.values_list("subject_id", flat=True)) == {asked.pk}
    # The district's social workers (each referral here was made by one of Farsta's), no one else.
    assert set(reminders.values_list("recipient_id", flat=True)) == {early.submitted_by_id, asked.submitted_by_id}
    summary = reminders.first().summary
    assert asked.pseudonym in summary and asked.child.first_name not in summary
    assert retention.waiting_list_ends_on(asked) == timezone.localdate(asked.status_changed_at) + datetime.timedelta(
        days=210
    )
    assert early.pk not in reminders.values_list("subject_id", flat=True)


def test_unconfirmed_after_30_more_days_the_referral_ends_with_a_reason_and_the_purge_clock_starts(agreement):
    kept = waiting_since(205, agreement=agreement)
    lapsed = waiting_since(211, agreement=agreement)

    purge_due_sweep()

    lapsed.refresh_from_db()
    assert lapsed.status == ReferralStatus.WITHDRAWN
    assert lapsed.ended_at is not None
    assert retention.purge_due_on(lapsed) == timezone.localdate() + datetime.timedelta(days=30)
    ending = status_changes(lapsed)[-1]
    assert ending.by is None
    assert "bekräftade inte inom 30 dagar" in ending.reason
    kept.refresh_from_db()
    assert kept.status == ReferralStatus.WAITING_LIST
    purge_due_sweep()  # a rerun ends nothing more
    assert [change.new for change in status_changes(lapsed)].count(ReferralStatus.WITHDRAWN) == 1


def test_the_districts_confirmation_restarts_the_clock(agreement, make_signed_in_client):
    referral = waiting_since(200, agreement=agreement)
    client = make_signed_in_client(referral.submitted_by)
    url = reverse("referrals:waiting_list_confirm", kwargs={"public_id": referral.public_id})
    assert url in client.get(reverse("referrals:detail", kwargs={"public_id": referral.public_id})).content.decode()

    assert client.post(url).status_code == 302

    Referral.objects.filter(pk=referral.pk).update(status_changed_at=timezone.now() - datetime.timedelta(days=400))
    purge_due_sweep()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.WAITING_LIST
    assert retention.waiting_list_review_on(referral) == timezone.localdate() + datetime.timedelta(days=180)
    assert AccessLogEntry.objects.filter(
        user=referral.submitted_by, what="Bekräftade att barnet fortfarande väntar på plats"
    ).exists()
    reminders_sweep_all()
    assert not Reminder.objects.filter(kind="waiting_list_review", done_at__isnull=True).exists()


def test_only_the_district_confirms(agreement, make_signed_in_client):
    referral = waiting_since(200, agreement=agreement)
    url = reverse("referrals:waiting_list_confirm", kwargs={"public_id": referral.public_id})
    assert make_signed_in_client(make_user(Role.OPERATIONS_MANAGER)).post(url).status_code == 403
    other = make_signed_in_client(make_user(Role.SOCIAL_WORKER, district_name="Bromma"))
    assert other.post(url).status_code == 404
    referral.refresh_from_db()
    assert referral.waiting_list_confirmed_at is None


def test_the_gallring_page_shows_the_rule_and_who_waits_for_confirmation(agreement, make_signed_in_client):
    asked = waiting_since(190, agreement=agreement)
    client = make_signed_in_client(make_user(Role.OPERATIONS_MANAGER))
    html = client.get(reverse("referrals:purge_due")).content.decode()
    assert "180 dagar på väntelistan" in html and "inom 30 dagar" in html
    assert asked.pseudonym in html
    assert f"{retention.waiting_list_ends_on(asked):%Y-%m-%d}" in html
    assert asked.child.first_name not in html
