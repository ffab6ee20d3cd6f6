"""One-time answer links for foster families: no login, expiring, single use, nothing else reachable."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from followup.evaluation import evaluation_link_create, evaluation_unlink_child
from followup.models import EvaluationAnswerSet, EvaluationLink
from partnership.models import Role
from tests.factories import make_user
from tests.followup.factories import instrument, make_group, place_children

pytestmark = pytest.mark.django_db

ANSWERS = {"q_nojd": "5", "q_information": "4", "q_ovrigt": "Bra ledare."}


@pytest.fixture
def leader():
    return make_user(Role.GROUP_LEADER)


@pytest.fixture
def link_and_token(leader):
    group = make_group(leader=leader, name="Hemliga gruppen")
    referrals = place_children(group, count=2, first_names=["Ronja", "Birk"])
    link, token = evaluation_link_create(
        group=group,
        referral=referrals[0],
        instrument=instrument("familjehemmets-upplevelse"),
        moment="after",
        created_by=leader,
    )
    return link, token


def test_a_family_answers_once_without_logging_in(client, link_and_token):
    link, token = link_and_token
    url = reverse("followup:public_answer", kwargs={"token": token})

    page = client.get(url)
    assert page.status_code == 200
    content = page.content.decode()
    # Only the questions: no child, no other child, no group on the page.
    for secret in ("Ronja", "Birk", "Hemliga gruppen", link.referral.pseudonym):
        assert secret not in content
    assert page["Referrer-Policy"] == "same-origin"

    response = client.post(url, ANSWERS)
    assert response.status_code == 302
    assert response["Location"] == reverse("followup:public_answer_done")
    answer_set = EvaluationAnswerSet.objects.get()
    assert (answer_set.referral_id, answer_set.channel, answer_set.entered_by) == (link.referral_id, "link", None)
    link.refresh_from_db()
    assert link.used_at is not None and link.answer_set == answer_set


def test_a_used_link_is_refused_with_a_clear_page_and_nothing_more_is_saved(client, link_and_token):
    _link, token = link_and_token
    url = reverse("followup:public_answer", kwargs={"token": token})
    client.post(url, ANSWERS)

    for response in (client.get(url), client.post(url, {"q_nojd": "1"})):
        assert response.status_code == 410
        assert "redan inskickade" in response.content.decode()
    assert EvaluationAnswerSet.objects.count() == 1


def test_an_expired_link_is_refused(client, link_and_token):
    link, token = link_and_token
    EvaluationLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    url = reverse("followup:public_answer", kwargs={"token": token})

    assert client.get(url).status_code == 410
    response = client.post(url, ANSWERS)
    assert response.status_code == 410
    assert "slutat gälla" in response.content.decode()
    assert not EvaluationAnswerSet.objects.exists()


def test_an_unknown_or_guessed_token_is_not_found(client, link_and_token):
    _link, token = link_and_token
    assert client.get(reverse("followup:public_answer", kwargs={"token": token[:-1] + "x"})).status_code == 404
    assert client.get(reverse("followup:public_answer", kwargs={"token": "a"})).status_code == 404


def test_the_token_itself_is_not_stored(link_and_token):
    link, token = link_and_token
    assert token not in str(EvaluationLink.objects.filter(pk=link.pk).values().get())


def test_an_answer_outside_the_scale_is_shown_beside_the_question_and_nothing_is_saved(client, link_and_token):
    link, token = link_and_token
    url = reverse("followup:public_answer", kwargs={"token": token})

    response = client.post(url, {"q_nojd": "9", "q_information": "4"})

    assert response.status_code == 200
    assert "Svaret måste vara ett värde från 1 till 5." in response.content.decode()
    assert not EvaluationAnswerSet.objects.exists()
    link.refresh_from_db()
    assert link.used_at is None


def test_a_link_stops_working_when_the_child_is_unlinked_at_purge(client, link_and_token):
    link, token = link_and_token
    evaluation_unlink_child(link.referral)
    assert client.get(reverse("followup:public_answer", kwargs={"token": token})).status_code == 410


def test_a_leader_creates_a_link_for_their_group_and_sees_it_once(leader, make_signed_in_client):
    group = make_group(leader=leader)
    (referral,) = place_children(group, count=1, first_names=["Ronja"])
    client = make_signed_in_client(leader)
    url = reverse("followup:link_create", kwargs={"public_id": group.public_id})

    form = client.get(url)
    assert "Ronja" in form.content.decode()
    response = client.post(
        url,
        {
            "referral": referral.pk,
            "instrument": instrument("familjehemmets-upplevelse").public_id,
            "moment": "after",
            "valid_days": 7,
        },
    )

    assert response.status_code == 200
    link = EvaluationLink.objects.get()
    assert "/uppfoljning/svar/" in response.content.decode()
    assert link.expires_at.date() == (timezone.now() + datetime.timedelta(days=7)).date()


def test_another_groups_leader_cannot_create_links_for_the_group(leader, make_signed_in_client):
    group = make_group(leader=leader)
    other_leader = make_user(Role.GROUP_LEADER)
    response = make_signed_in_client(other_leader).get(
        reverse("followup:link_create", kwargs={"public_id": group.public_id})
    )
    assert response.status_code == 404
