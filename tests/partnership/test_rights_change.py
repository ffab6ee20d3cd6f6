"""A user whose role or district changes loses the old rights on the next request, not at the
next sign-in: nothing caches a membership beyond one request (issue 14)."""

import pytest
from django.urls import reverse

from partnership.models import AccessLogEntry, Membership, Organisation, Role
from tests.factories import district, make_referral, make_user

pytestmark = pytest.mark.django_db


def test_a_social_worker_moved_to_another_district_loses_the_old_district_at_once(make_signed_in_client):
    worker = make_user(Role.SOCIAL_WORKER, district_name="Farsta")
    referral = make_referral(submitted_by=worker, district_name="Farsta")
    client = make_signed_in_client(worker)
    url = reverse("referrals:detail", kwargs={"public_id": referral.public_id})
    assert client.get(url).status_code == 200
    Membership.objects.filter(user=worker).update(district=district("Skärholmen"))
    assert client.get(url).status_code in (403, 404)


def test_a_coordinator_made_group_leader_loses_the_coordinator_pages_at_once(make_signed_in_client):
    user = make_user(Role.COORDINATOR)
    client = make_signed_in_client(user)
    url = reverse("consent:access_log")
    assert client.get(url).status_code == 200
    Membership.objects.filter(user=user).update(
        role=Role.GROUP_LEADER, organisation=Organisation.objects.get(short_name="Bris")
    )
    assert client.get(url).status_code == 403


def test_a_removed_membership_or_deactivated_account_loses_everything_at_once(make_signed_in_client):
    worker = make_user(Role.SOCIAL_WORKER, district_name="Farsta")
    referral = make_referral(submitted_by=worker, district_name="Farsta")
    client = make_signed_in_client(worker)
    url = reverse("referrals:detail", kwargs={"public_id": referral.public_id})
    assert client.get(url).status_code == 200
    Membership.objects.filter(user=worker).delete()
    assert client.get(url).status_code in (403, 404)
    worker.is_active = False
    worker.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_membership_change_in_the_admin_is_logged_with_who_made_it(make_signed_in_client, superuser):
    worker = make_user(Role.SOCIAL_WORKER, district_name="Farsta")
    membership = worker.membership
    client = make_signed_in_client(superuser)
    response = client.post(
        reverse("admin:partnership_membership_change", args=[membership.pk]),
        {
            "user": worker.pk,
            "organisation": membership.organisation_id,
            "role": Role.SOCIAL_WORKER,
            "district": district("Skärholmen").pk,
        },
    )
    assert response.status_code == 302
    entry = AccessLogEntry.objects.get(action=AccessLogEntry.Action.MEMBERSHIP_CHANGED)
    assert entry.user == superuser
    assert worker.username in entry.what and "Skärholmen" in entry.what
