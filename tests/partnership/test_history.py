"""The change history (partnership/history.py on django-auditlog): written in the same transaction
as the change, with the actor and the time, readable for many objects at once, cleared of free
text by the purge, and append-only in PostgreSQL."""

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError, transaction
from django.utils.functional import SimpleLazyObject

from partnership import history
from partnership.middleware import HistoryActorMiddleware
from partnership.models import Role
from referrals.models import Referral, ReferralStatus
from referrals.services import referral_transition
from tests.conftest import require_postgresql
from tests.factories import make_referral, make_user
from tests.history import status_changes

pytestmark = pytest.mark.django_db


def test_a_change_and_its_history_entry_commit_or_roll_back_together():
    referral = make_referral(placement_basis="lvu")
    before = LogEntry.objects.count()
    manager = make_user(Role.OPERATIONS_MANAGER)
    with pytest.raises(RuntimeError), transaction.atomic():
        referral_transition(referral=referral, to_status=ReferralStatus.WITHDRAWN, by=manager, reason="Flyttar")
        raise RuntimeError("the request failed after the change")
    assert LogEntry.objects.count() == before
    assert Referral.objects.get(pk=referral.pk).status != ReferralStatus.WITHDRAWN


def test_the_history_of_many_objects_is_read_in_one_query(django_assert_num_queries):
    referrals = [make_referral(first_name=f"Barn{n}") for n in range(4)]
    with django_assert_num_queries(1):
        entries = list(history.entries_for(Referral, [referral.pk for referral in referrals]))
        [entry.actor and entry.actor.membership for entry in entries]  # the actors come along
    assert {entry.object_id for entry in entries} == {referral.pk for referral in referrals}


def test_an_actor_set_inside_another_gives_way_to_the_outer_one_when_it_ends():
    referral = make_referral()
    outer, inner = make_user(Role.SOCIAL_WORKER), make_user(Role.OPERATIONS_MANAGER)
    with history.acting(outer):
        with history.acting(inner):
            history.record_change(referral, changes={"status": ["a", "b"]})
        history.record_change(referral, changes={"status": ["b", "c"]}, reason_text="Andra")
    history.record_change(referral, changes={"status": ["c", "d"]})
    assert [(c.new, c.by, c.reason) for c in status_changes(referral)][-3:] == [
        ("b", inner, ""),
        ("c", outer, "Andra"),
        ("d", None, ""),
    ]


def test_the_purge_clears_reasons_only_and_counts_them_per_object():
    first, second = make_referral(first_name="Ett"), make_referral(first_name="Två")
    history.record_change(first, changes={"status": ["a", "b"]}, reason_text="Mamma ringde")
    history.record_change(first, changes={"status": ["b", "c"]}, reason_text="Pappa ringde")
    history.record_change(second, changes={"status": ["a", "b"]})
    assert history.reasons_clear(Referral, [first.pk, second.pk]) == {first.pk: 2}
    assert [(c.old, c.new, c.reason) for c in status_changes(first)][-2:] == [("a", "b", ""), ("b", "c", "")]


def test_postgresql_refuses_to_change_or_delete_history_but_lets_the_purge_clear_a_reason():
    require_postgresql()
    referral = make_referral()
    entry = history.record_change(referral, changes={"status": ["a", "b"]}, reason_text="Namnger barnet")
    for forbidden in (
        lambda: LogEntry.objects.filter(pk=entry.pk).update(changes={"status": ["a", "x"]}),
        lambda: LogEntry.objects.filter(pk=entry.pk).update(actor=make_user(Role.COORDINATOR)),
        lambda: LogEntry.objects.filter(pk=entry.pk).update(additional_data={"reason": "annan"}),
        lambda: LogEntry.objects.filter(pk=entry.pk).delete(),
        lambda: LogEntry.objects.all().delete(),
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            forbidden()
    assert history.reasons_clear(Referral, [referral.pk]) == {referral.pk: 1}
    entry.refresh_from_db()
    assert (entry.changes, entry.additional_data) == ({"status": ["a", "b"]}, None)


def test_a_request_makes_the_signed_in_user_the_default_actor(rf):
    """Changes outside a service (the admin's) are the signed-in user's; an anonymous request's
    are nobody's."""
    referral = make_referral()
    user = make_user(Role.COORDINATOR)

    def view(request):
        return history.record_change(referral, changes={"status": ["a", "b"]})

    request = rf.post("/")
    request.user = SimpleLazyObject(lambda: user)
    HistoryActorMiddleware(view)(request)
    request.user = AnonymousUser()
    HistoryActorMiddleware(view)(request)
    assert [change.by for change in status_changes(referral)][-2:] == [user, None]
