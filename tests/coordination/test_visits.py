"""The contact before the group for a provider's participants (issue 15), as an IOP placement's
pre-group visit: planned with date and leader, done with its outcome, or a written exception."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coordination.models import Participant, ParticipantVisit
from coordination.services import coordination_purge_due, participant_place, participant_visit_record
from groups import services as group_services
from partnership.models import Role
from tests.coordination.factories import make_provider, make_provider_user, make_provider_world, publish
from tests.factories import make_agreement, make_group, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def ersta(db):
    """Ersta's children's group, open, with Alma taken in on her custodian's consent."""
    make_agreement()
    provider, grant, manager, leader = make_provider_world()
    group = make_group(agreement=grant, leaders=[leader], manager=manager, name="CAP-gruppen", min_age=7, max_age=12)
    alma = participant_place(
        group=group,
        interest=None,
        child_first_name="Alma",
        child_age=9,
        custodian_name="Anna",
        custodian_contact="070",
        consent_on=timezone.localdate(),
        consent_how="written",
        by=manager,
    )
    return {
        "provider": provider,
        "agreement": grant,
        "manager": manager,
        "leader": leader,
        "group": group,
        "alma": alma,
    }


def _url(ersta):
    return reverse(
        "coordination:participant_visit",
        kwargs={"public_id": ersta["group"].public_id, "participant_id": ersta["alma"].public_id},
    )


def test_a_visit_is_planned_then_recorded_or_excepted_with_a_reason(ersta):
    today = timezone.localdate()
    visit = participant_visit_record(
        participant=ersta["alma"], recorded_by=ersta["leader"], kind="home", visit_date=today, leader=ersta["leader"]
    )
    assert not visit.is_done
    visit = participant_visit_record(
        participant=ersta["alma"],
        recorded_by=ersta["leader"],
        kind="home",
        visit_date=today,
        leader=ersta["leader"],
        outcome="Alma vill gärna börja.",
    )
    assert visit.is_done and ParticipantVisit.objects.count() == 1
    with pytest.raises(ValidationError) as refusal:
        participant_visit_record(participant=ersta["alma"], recorded_by=ersta["leader"], kind="exception")
    assert "exception_reason" in refusal.value.message_dict
    with pytest.raises(ValidationError) as refusal:
        participant_visit_record(
            participant=ersta["alma"],
            recorded_by=ersta["leader"],
            kind="home",
            visit_date=today + datetime.timedelta(days=3),
            leader=ersta["leader"],
            outcome="Gick bra",
        )
    assert "outcome" in refusal.value.message_dict
    # A leader of another provider cannot be the one who visits.
    stranger = make_provider_user(Role.GROUP_LEADER, make_provider(name="Källan", short_name="Källan"))
    with pytest.raises(ValidationError) as refusal:
        participant_visit_record(
            participant=ersta["alma"], recorded_by=ersta["leader"], kind="home", visit_date=today, leader=stranger
        )
    assert "leader" in refusal.value.message_dict
    visit.refresh_from_db()
    assert visit.outcome == "Alma vill gärna börja."  # the refusals changed nothing


def test_a_running_group_or_a_removed_child_is_refused(ersta):
    Participant.objects.filter(pk=ersta["alma"].pk).update(removed_at=timezone.now())
    ersta["alma"].refresh_from_db()
    with pytest.raises(ValidationError, match="finns inte"):
        participant_visit_record(
            participant=ersta["alma"], recorded_by=ersta["leader"], kind="exception", exception_reason="Flyttat"
        )
    ersta["group"].status = "running"
    ersta["group"].save(update_fields=["status"])
    Participant.objects.filter(pk=ersta["alma"].pk).update(removed_at=None)
    ersta["alma"].refresh_from_db()
    with pytest.raises(ValidationError, match="status"):
        participant_visit_record(
            participant=ersta["alma"], recorded_by=ersta["leader"], kind="exception", exception_reason="Sent"
        )
    assert not ParticipantVisit.objects.exists()


def test_the_leader_records_a_visit_from_the_participants_page(ersta, make_signed_in_client):
    http = make_signed_in_client(ersta["leader"])
    participants = reverse("coordination:participants", kwargs={"public_id": ersta["group"].public_id})
    assert f'href="{_url(ersta)}"' in http.get(participants).content.decode()
    page = http.get(_url(ersta)).content.decode()
    assert "Besök i verksamhetens lokaler" in page and "Bris" not in page.split("<main")[-1]
    response = http.post(_url(ersta), {"kind": "exception", "exception_reason": ""})
    assert response.status_code == 200 and "Skriv varför barnet börjar utan besök" in response.content.decode()
    today = timezone.localdate().isoformat()
    response = http.post(
        _url(ersta), {"kind": "premises", "visit_date": today, "leader": ersta["leader"].pk, "outcome": "Bra möte"}
    )
    assert response.status_code == 302
    visit = ParticipantVisit.objects.get()
    assert (visit.kind, visit.outcome, visit.recorded_by) == ("premises", "Bra möte", ersta["leader"])
    assert "klart" in http.get(participants).content.decode()


def test_who_may_open_the_visit_page(ersta, make_signed_in_client):
    url = _url(ersta)
    assert make_signed_in_client(ersta["manager"]).get(url).status_code == 200
    other_leader = make_provider_user(Role.GROUP_LEADER, ersta["provider"])
    assert make_signed_in_client(other_leader).get(url).status_code == 403
    kallan = make_provider(name="Källan, Schizofreniförbundet", short_name="Källan")
    for user in (
        make_provider_user(Role.OPERATIONS_MANAGER, kallan),
        make_user(Role.OPERATIONS_MANAGER),
        make_user(Role.COORDINATOR),
        make_user(Role.SOCIAL_WORKER),
    ):
        http = make_signed_in_client(user)
        assert http.get(url).status_code == 404
        assert http.post(url, {"kind": "exception", "exception_reason": "x"}).status_code == 404
    assert not ParticipantVisit.objects.exists()
    # A participant of another group under this group's address: 404.
    other = make_group(
        agreement=ersta["agreement"], leaders=[ersta["leader"]], manager=ersta["manager"], name="Annan", weekday=3
    )
    nils = participant_place(
        group=other,
        interest=None,
        child_first_name="Nils",
        child_age=9,
        custodian_name="N",
        custodian_contact="070",
        consent_on=timezone.localdate(),
        consent_how="written",
        by=ersta["manager"],
    )
    wrong = reverse(
        "coordination:participant_visit",
        kwargs={"public_id": ersta["group"].public_id, "participant_id": nils.public_id},
    )
    assert make_signed_in_client(ersta["leader"]).get(wrong).status_code == 404
    # A parents' group has no visits before it.
    publish(other, audience="parents")
    parents_url = reverse(
        "coordination:participant_visit", kwargs={"public_id": other.public_id, "participant_id": nils.public_id}
    )
    assert make_signed_in_client(ersta["leader"]).get(parents_url).status_code == 403
    assert Client().get(url).status_code == 302
    assert make_signed_in_client(ersta["leader"]).delete(url).status_code == 405


def test_a_visits_text_goes_with_the_participants_purge(ersta, settings):
    settings.PURGE_GRACE_DAYS = 30
    participant_visit_record(
        participant=ersta["alma"], recorded_by=ersta["leader"], kind="exception", exception_reason="Alma är sjuk"
    )
    group_services.group_cancel(group=ersta["group"], by=ersta["manager"], reason="För få anmälda")
    coordination_purge_due(on=timezone.localdate())
    assert ParticipantVisit.objects.get().exception_reason == "Alma är sjuk"  # not yet
    coordination_purge_due(on=timezone.localdate() + datetime.timedelta(days=31))
    visit = ParticipantVisit.objects.get()
    assert (visit.kind, visit.exception_reason, visit.outcome) == ("exception", "", "")
