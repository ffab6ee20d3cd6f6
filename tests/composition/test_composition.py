"""Suggesting group compositions from the waiting list, and accepting, changing or rejecting them."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from composition import services
from composition.models import ChildRelation, CompositionRequest, SuggestedGroup, SuggestedMember
from composition.tasks import composition_request_solve
from groups.models import GroupStatus, Placement, SupportGroup
from partnership.models import AccessLogEntry, BackgroundJob, Role
from referrals.models import Referral, ReferralStatus
from referrals.services import referral_transition
from tests.coordination.factories import make_provider_world
from tests.factories import make_agreement, make_referral, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreement():
    return make_agreement()


@pytest.fixture
def waiting(agreement):
    """Twelve ready children in two age clusters (8–9 and 14–15), interleaved in the waiting
    order, from three districts."""
    worker = make_user(Role.SOCIAL_WORKER, district_name="Farsta")
    planned = timezone.localdate() + datetime.timedelta(days=30)
    referrals = []
    for n, age in enumerate([8, 14, 9, 15, 8, 14, 9, 15, 8, 14, 9, 15]):
        referrals.append(
            make_referral(
                submitted_by=worker,
                agreement=agreement,
                age=age,
                planned_start=planned,
                first_name=f"Barn{n:02d}",
                district_name="Farsta",
            )
        )
    # The waiting order is the order they became ready: make it explicit, a day apart.
    now = timezone.now()
    for n, referral in enumerate(referrals):
        Referral.objects.filter(pk=referral.pk).update(ready_at=now - datetime.timedelta(days=100 - n))
    return referrals


def ask(manager, agreement, **fields):
    return services.composition_suggest(
        agreement=agreement,
        planned_start=fields.get("planned_start", timezone.localdate() + datetime.timedelta(days=30)),
        max_groups=fields.get("max_groups", 2),
        max_age_spread=fields.get("max_age_spread", 3),
        by=manager,
    )


@pytest.fixture
def suggest(django_capture_on_commit_callbacks):
    """Ask for a suggestion and have it solved: the job runs in this process once the request's
    transaction commits (eager mode, as `make run`)."""

    def suggest(manager, agreement, **fields):
        with django_capture_on_commit_callbacks(execute=True):
            request = ask(manager, agreement, **fields)
        request.refresh_from_db()
        return request

    return suggest


def accept_data(suggested, referrals, leader, **extra):
    return {
        "children": [str(referral.public_id) for referral in referrals],
        "name": "Torsdagsgruppen",
        "format": "weekly",
        "leaders": [leader.pk],
        "first_date": (timezone.localdate() + datetime.timedelta(days=35)).isoformat(),
        "weekday": "3",
        "start_time": "16:00",
        **extra,
    }


def test_the_suggestion_makes_two_groups_by_age_and_says_it_is_optimal(operations_manager, agreement, waiting, suggest):
    request = suggest(operations_manager, agreement)
    assert request.solver_status == "OPTIMAL"
    assert request.waiting_count == 12
    groups = list(request.groups.order_by("position"))
    assert [(group.min_age, group.max_age) for group in groups] == [(8, 9), (14, 15)]
    young = {member.referral_id for member in groups[0].members.all()}
    assert young == {referral.pk for referral in waiting if referral.age_at_planned_start < 12}
    # Ranks are the waiting list's order, 1 = waited longest.
    assert [member.waiting_rank for member in groups[0].members.all()] == [1, 3, 5, 7, 9, 11]
    assert groups[0].travel_km == 0


def test_a_must_not_meet_pair_recorded_by_the_district_is_split(operations_manager, agreement, waiting, suggest):
    worker = make_user(Role.SOCIAL_WORKER, district_name="Farsta")
    young = [referral for referral in waiting if referral.age_at_planned_start < 12]
    services.child_relation_record(first=young[0], second=young[1], kind=ChildRelation.Kind.MUST_NOT_MEET, by=worker)
    request = suggest(operations_manager, agreement, max_groups=2)
    for group in request.groups.all():
        members = {member.referral_id for member in group.members.all()}
        assert not {young[0].pk, young[1].pk} <= members
    # One of them waits: only five young children can then share a group, and it's the later one.
    placed = {member.referral_id for group in request.groups.all() for member in group.members.all()}
    assert young[0].pk in placed and young[1].pk not in placed


def test_the_longest_waiting_get_the_places_when_one_group_is_asked_for(
    operations_manager, agreement, waiting, suggest
):
    request = suggest(operations_manager, agreement, max_groups=1)
    (group,) = request.groups.all()
    # Both clusters are six; the older one holds the children ranked 2, 4, ... and the younger
    # the one who waited longest of all (rank 1): it wins.
    assert (group.min_age, group.max_age) == (8, 9)


def test_the_district_cannot_relate_another_districts_child(agreement):
    worker = make_user(Role.SOCIAL_WORKER, district_name="Farsta")
    own = make_referral(agreement=agreement, district_name="Farsta")
    other = make_referral(agreement=agreement, district_name="Bromma")
    with pytest.raises(Exception, match="din stadsdel"):
        services.child_relation_record(first=own, second=other, kind="apart", by=worker)
    assert not ChildRelation.objects.exists()


# --- Solved in the background ------------------------------------------------------------


def test_asking_again_while_it_is_being_solved_gets_the_same_suggestion(operations_manager, agreement, waiting):
    first = ask(operations_manager, agreement)
    assert ask(operations_manager, agreement) == first
    other = ask(operations_manager, agreement, max_groups=1)
    assert other != first
    assert BackgroundJob.objects.filter(kind="composition.suggestion").count() == 2
    assert not CompositionRequest.objects.filter(solver_status__gt="").exists()


def test_a_second_run_of_the_job_keeps_the_first_outcome(
    operations_manager, agreement, waiting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = ask(operations_manager, agreement)
    # A second delivery that read the suggestion before the first run had kept its outcome.
    stale = CompositionRequest.objects.get(pk=request.pk)
    request.refresh_from_db()
    assert request.is_solved and request.groups.count() == 2
    stale.solver_status = ""
    composition_request_solve(stale)
    composition_request_solve(CompositionRequest.objects.get(pk=request.pk))
    assert request.groups.count() == 2 and SuggestedMember.objects.count() == 12


def test_the_page_says_when_the_background_service_cannot_be_reached_and_when_solving_failed(
    make_signed_in_client, operations_manager, agreement, waiting
):
    request = ask(operations_manager, agreement)  # not committed: never sent to the broker
    client = make_signed_in_client(operations_manager)
    url = reverse("composition:detail", args=[request.public_id])
    page = client.get(url).content.decode()
    assert "Bakgrundstjänsten går inte att nå just nu" in page and "Förslaget tas fram" in page
    assert "12 barn i väntelistan" not in page and "Det går inte att bilda en grupp" not in page

    BackgroundJob.objects.filter(pk=request.job_id).update(state=BackgroundJob.State.FAILED)
    page = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "Förslaget kunde inte tas fram." in page
    assert "data-hx-get" not in page and "Förslaget tas fram" not in page


# --- The pages -----------------------------------------------------------------------------


def test_the_manager_asks_reads_the_explanation_and_accepts_a_changed_group(
    make_signed_in_client, operations_manager, group_leader, agreement, waiting, django_capture_on_commit_callbacks
):
    client = make_signed_in_client(operations_manager)
    with django_capture_on_commit_callbacks() as sent_once_committed:
        response = client.post(
            reverse("composition:suggest"),
            {
                "agreement": agreement.pk,
                "planned_start": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
                "max_groups": 2,
                "max_age_spread": 3,
            },
        )
    request = CompositionRequest.objects.get()
    assert response.status_code == 302 and response.url == reverse("composition:detail", args=[request.public_id])
    assert request.job.kind == "composition.suggestion" and request.job.state == BackgroundJob.State.QUEUED
    assert not request.is_solved and not request.groups.exists()
    # Until its job has run the page says the suggestion is being made, and polls itself.
    page = client.get(response.url).content.decode()
    assert "Förslaget tas fram" in page and f'data-hx-get="{response.url}"' in page
    assert "Optimalt" not in page

    for send in sent_once_committed:  # the job goes to the worker, here this process (eager mode)
        send()
    request.refresh_from_db()
    assert request.job.state == BackgroundJob.State.DONE and request.solver_status == "OPTIMAL"
    # The poll gets the outcome in place of the waiting part, and stops polling.
    fragment = client.get(response.url, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<div id="suggestion">') and "data-hx-get" not in fragment
    assert "Optimalt" in fragment and "Förslaget tas fram" not in fragment
    assert "12 barn i väntelistan" in fragment
    assert AccessLogEntry.objects.filter(what="Förslag på gruppsammansättning").count() == 12
    page = client.get(response.url).content.decode()
    assert "Optimalt" in page
    assert "Åldersskillnad 1 år" in page
    assert "Väntat längst: Barn00" in page
    assert "Testsson" not in page  # first names only, never the surname or an identity number

    young_group = request.groups.get(position=1)
    members = [member.referral for member in young_group.members.all()]
    # The manager takes the last one out and adds an older child from the waiting list instead.
    extra = next(referral for referral in waiting if referral.age_at_planned_start == 14)
    chosen = [*members[:-1], extra]
    response = client.post(
        reverse("composition:accept", args=[young_group.public_id]), accept_data(young_group, chosen, group_leader)
    )
    group = SupportGroup.objects.get()
    assert response.status_code == 302 and response.url == reverse("groups:detail", args=[group.public_id])
    assert group.status == GroupStatus.OPEN
    assert group.agreement == agreement
    assert {p.referral_id for p in Placement.objects.filter(group=group)} == {r.pk for r in chosen}
    assert set(Referral.objects.filter(pk__in=[r.pk for r in chosen]).values_list("status", flat=True)) == {"placed"}
    assert (group.min_age, group.max_age) == (8, 14)
    young_group.refresh_from_db()
    assert young_group.state == SuggestedGroup.State.ACCEPTED and young_group.group == group


def test_a_child_who_cannot_be_placed_is_reported_and_nothing_is_saved(
    make_signed_in_client, operations_manager, group_leader, agreement, waiting, suggest
):
    request = suggest(operations_manager, agreement)
    suggested = request.groups.get(position=1)
    members = [member.referral for member in suggested.members.all()]
    # The district withdrew one referral after the suggestion was made.
    referral_transition(
        referral=members[2], to_status=ReferralStatus.WITHDRAWN, by=operations_manager, reason="Flyttat"
    )
    client = make_signed_in_client(operations_manager)
    response = client.post(
        reverse("composition:accept", args=[suggested.public_id]), accept_data(suggested, members, group_leader)
    )
    assert response.status_code == 200
    assert members[2].pseudonym in response.content.decode()
    assert not SupportGroup.objects.exists() and not Placement.objects.exists()
    suggested.refresh_from_db()
    assert suggested.state == SuggestedGroup.State.PROPOSED


def test_too_few_children_are_refused_beside_the_field(
    make_signed_in_client, operations_manager, group_leader, agreement, waiting, suggest
):
    request = suggest(operations_manager, agreement)
    suggested = request.groups.get(position=1)
    members = [member.referral for member in suggested.members.all()][:4]
    client = make_signed_in_client(operations_manager)
    response = client.post(
        reverse("composition:accept", args=[suggested.public_id]), accept_data(suggested, members, group_leader)
    )
    assert response.status_code == 200
    assert "En grupp har 5–8 barn; du har valt 4." in response.content.decode()
    assert not SupportGroup.objects.exists()


def test_rejecting_keeps_the_children_waiting(make_signed_in_client, operations_manager, agreement, waiting, suggest):
    request = suggest(operations_manager, agreement)
    suggested = request.groups.get(position=2)
    client = make_signed_in_client(operations_manager)
    response = client.post(reverse("composition:reject", args=[suggested.public_id]))
    assert response.status_code == 302
    suggested.refresh_from_db()
    assert suggested.state == SuggestedGroup.State.REJECTED
    assert client.get(reverse("composition:accept", args=[suggested.public_id])).status_code == 302
    assert not Placement.objects.exists()


def test_another_provider_gets_404_and_a_group_leader_403(
    make_signed_in_client, operations_manager, agreement, waiting, suggest
):
    request = suggest(operations_manager, agreement)
    suggested = request.groups.first()
    _provider, _arrangement, ersta_manager, _leader = make_provider_world()
    client = make_signed_in_client(ersta_manager)
    assert client.get(reverse("composition:detail", args=[request.public_id])).status_code == 404
    assert client.get(reverse("composition:accept", args=[suggested.public_id])).status_code == 404
    assert client.post(reverse("composition:reject", args=[suggested.public_id])).status_code == 404
    # Ersta's own page offers only Ersta's target group.
    page = client.get(reverse("composition:suggest")).content.decode()
    assert "Barn till föräldrar med missbruk" in page and "Familjehemsplacerade barn" not in page
    leader_client = make_signed_in_client(make_user(Role.GROUP_LEADER))
    assert leader_client.get(reverse("composition:suggest")).status_code == 403


def test_anonymous_is_sent_to_login_and_reject_needs_post(
    client, make_signed_in_client, operations_manager, agreement, waiting, suggest
):
    request = suggest(operations_manager, agreement)
    suggested = request.groups.first()
    response = client.get(reverse("composition:detail", args=[request.public_id]))
    assert response.status_code == 302 and reverse("login") in response.url
    signed_in = make_signed_in_client(operations_manager)
    assert signed_in.get(reverse("composition:reject", args=[suggested.public_id])).status_code == 405


def test_the_relations_page_reads_the_districts_children_once_however_many(make_signed_in_client, agreement):
    worker = make_user(Role.SOCIAL_WORKER, district_name="Farsta")
    client = make_signed_in_client(worker)
    make_referral(agreement=agreement, district_name="Farsta", first_name="Ines")
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("composition:child_relations"))
    for name in ("Otto", "Vera", "Sam"):
        make_referral(agreement=agreement, district_name="Farsta", first_name=name)
    with CaptureQueriesContext(connection) as four:
        page = client.get(reverse("composition:child_relations")).content.decode()
    assert len(four.captured_queries) == len(one.captured_queries)
    # Both boxes offer every child, from the one read.
    assert page.count(">Vera ") == 2


def test_the_social_worker_records_and_removes_a_relation(make_signed_in_client, agreement):
    worker = make_user(Role.SOCIAL_WORKER, district_name="Farsta")
    first = make_referral(agreement=agreement, district_name="Farsta", first_name="Ines")
    second = make_referral(agreement=agreement, district_name="Farsta", first_name="Otto")
    other_district = make_referral(agreement=agreement, district_name="Bromma", first_name="Bruno")
    client = make_signed_in_client(worker)
    page = client.get(reverse("composition:child_relations")).content.decode()
    assert "Ines" in page and "Bruno" not in page
    response = client.post(
        reverse("composition:child_relations"), {"first": second.pk, "second": first.pk, "kind": "apart"}
    )
    assert response.status_code == 302
    relation = ChildRelation.objects.get()
    assert (relation.first_id, relation.second_id) == tuple(sorted((first.pk, second.pk)))
    response = client.post(
        reverse("composition:child_relations"), {"first": first.pk, "second": other_district.pk, "kind": "apart"}
    )
    assert response.status_code == 200 and ChildRelation.objects.count() == 1
    # (make_signed_in_client signs the one test client in as someone else)
    bromma = make_signed_in_client(make_user(Role.SOCIAL_WORKER, district_name="Bromma"))
    assert bromma.post(reverse("composition:child_relation_delete", args=[relation.public_id])).status_code == 404
    client = make_signed_in_client(worker)
    assert client.post(reverse("composition:child_relation_delete", args=[relation.public_id])).status_code == 302
    assert not ChildRelation.objects.exists()


def test_the_detail_page_has_bounded_queries(
    make_signed_in_client, operations_manager, agreement, waiting, django_assert_max_num_queries, suggest
):
    request = suggest(operations_manager, agreement)
    client = make_signed_in_client(operations_manager)
    # session, user, membership, OTP device, the request, its groups with members, the access-log
    # insert, the menus' permissions: the same whatever the number of children.
    with django_assert_max_num_queries(20):
        assert client.get(reverse("composition:detail", args=[request.public_id])).status_code == 200
