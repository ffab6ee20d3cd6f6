import pytest
from django.core.management import call_command

from groups.models import GroupStatus, Placement, SupportGroup
from referrals.models import Referral

pytestmark = pytest.mark.django_db


def test_demo_data_has_groups_in_every_status_and_can_be_loaded_twice(settings):
    settings.DEBUG = True
    call_command("load_demo_data", stdout=None)
    statuses = set(SupportGroup.objects.values_list("status", flat=True))
    assert statuses == set(GroupStatus.values)
    running = Placement.objects.filter(group__status=GroupStatus.RUNNING)
    assert running.filter(family_reminders_since__isnull=False).count() == 2
    counts = (SupportGroup.objects.count(), Referral.objects.count())
    call_command("load_demo_data", stdout=None)
    assert (SupportGroup.objects.count(), Referral.objects.count()) == counts
