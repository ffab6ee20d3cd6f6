"""Two people place children into the same group at the same moment (PostgreSQL row locks)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from groups import services
from groups.models import Placement
from partnership.models import Role
from tests.conftest import require_postgresql
from tests.factories import make_group, make_referral, make_user

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]


def test_two_simultaneous_placements_into_the_last_place_leave_exactly_eight():
    require_postgresql()
    manager = make_user(Role.OPERATIONS_MANAGER)
    group = make_group()
    for n in range(7):
        services.group_place_child(group=group, referral=make_referral(first_name=f"Barn{n}"), placed_by=manager)
    contenders = [make_referral(first_name="Sist"), make_referral(first_name="Sistan")]
    barrier = threading.Barrier(len(contenders))
    outcomes: list[str] = []

    def place(referral):
        try:
            barrier.wait(timeout=10)  # both transactions start together, each on its own connection
            services.group_place_child(group=group, referral=referral, placed_by=manager)
            outcomes.append("placed")
        except ValidationError as error:
            outcomes.append(error.message_dict["referral"][0])
        finally:
            connection.close()

    threads = [threading.Thread(target=place, args=(referral,)) for referral in contenders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes)[-1] == "placed" and outcomes.count("placed") == 1, outcomes
    assert any("8 av 8" in outcome for outcome in outcomes)
    assert Placement.objects.filter(group=group, removed_at__isnull=True).count() == 8
