"""Every dated record belongs to the agreement in force on its date (IOP 2): the services refuse a
group, a referral or an interest registration outside its agreement's period, whichever page, job
or command calls them; the views' messages are tested beside each form."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from groups import schedule, services
from groups.models import SupportGroup
from partnership.models import District, Role
from referrals.models import InterestRegistration, Referral
from referrals.services import interest_registration_record
from tests.factories import SEED_AGREEMENT_PERIOD, make_agreement, make_group, make_referral, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def ended_agreement():
    return make_agreement(starts_on=SEED_AGREEMENT_PERIOD[0], ends_on=SEED_AGREEMENT_PERIOD[1])


def test_a_group_whose_first_meeting_is_outside_its_agreement_is_refused_by_the_service(ended_agreement):
    manager = make_user(Role.OPERATIONS_MANAGER)
    slots = schedule.weekly_schedule(
        earliest=timezone.localdate() + datetime.timedelta(days=30), weekday=0, start_time=datetime.time(16)
    )
    with pytest.raises(ValidationError) as refused:
        services.group_create(
            agreement=ended_agreement,
            created_by=manager,
            name="Efter avtalet",
            format="weekly",
            min_age=7,
            max_age=12,
            premises=None,
            leaders=[make_user(Role.GROUP_LEADER)],
            slots=slots,
        )
    assert "2017-01-01–2018-12-31" in refused.value.message_dict["first_date"][0]
    assert not SupportGroup.objects.exists()


def test_a_group_inside_its_agreement_is_planned(ended_agreement):
    group = make_group(agreement=ended_agreement, earliest=datetime.date(2018, 3, 5))
    assert group.agreement == ended_agreement and group.starts_on.year == 2018


def test_a_referral_under_an_agreement_that_has_ended_is_refused_by_the_service(ended_agreement):
    with pytest.raises(ValidationError) as refused:
        make_referral(agreement=ended_agreement)
    assert "utanför överenskommelsens period 2017-01-01–2018-12-31" in refused.value.messages[0]
    assert not Referral.objects.exists()


def test_an_interest_registration_under_an_agreement_not_yet_in_force_is_refused_by_the_service():
    next_year = timezone.localdate().year + 1
    future = make_agreement(starts_on=datetime.date(next_year, 1, 1), ends_on=datetime.date(next_year + 1, 12, 31))
    with pytest.raises(ValidationError):
        interest_registration_record(
            recorded_by=make_user(Role.GROUP_LEADER),
            agreement=future,
            district=District.objects.get(name="Farsta"),
            child_first_name="Elsa",
            child_birth_year=2015,
            foster_contact_person="Lisa Familjehem",
            foster_phone="070-222 33 44",
        )
    assert not InterestRegistration.objects.exists()
