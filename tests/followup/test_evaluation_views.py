"""A leader types in a child's paper questionnaire; others may not."""

import pytest
from django.urls import reverse

from followup.evaluation import evaluation_answer_set_record
from followup.models import EvaluationAnswerSet
from partnership.models import AccessLogEntry, Role
from tests.factories import make_user
from tests.followup.factories import instrument, make_group, place_children

pytestmark = pytest.mark.django_db


@pytest.fixture
def leader():
    return make_user(Role.GROUP_LEADER)


def _url(group, code="hur-jag-har-det-barn"):
    return reverse(
        "followup:answer_create", kwargs={"public_id": group.public_id, "instrument_id": instrument(code).public_id}
    )


def test_a_leader_enters_a_childs_answers_and_the_name_shown_is_logged(leader, make_signed_in_client):
    group = make_group(leader=leader)
    (referral,) = place_children(group, count=1, first_names=["Ronja"])
    client = make_signed_in_client(leader)

    page = client.get(_url(group))
    assert "Ronja" in page.content.decode()
    assert AccessLogEntry.objects.filter(child_pseudonym=referral.pseudonym).exists()

    response = client.post(
        _url(group),
        {"referral": referral.pk, "moment": "before", "answered_on": "2017-03-01", "q_forstar": "2", "q_prata": "4"},
    )
    assert response.status_code == 302
    answer_set = EvaluationAnswerSet.objects.get()
    assert sorted(answer_set.answers.values_list("value", flat=True)) == [2, 4]


def test_a_value_outside_the_scale_keeps_the_input_and_saves_nothing(leader, make_signed_in_client):
    group = make_group(leader=leader)
    (referral,) = place_children(group, count=1)
    response = make_signed_in_client(leader).post(
        _url(group),
        {"referral": referral.pk, "moment": "before", "answered_on": "2017-03-01", "q_forstar": "6", "q_prata": "4"},
    )
    assert response.status_code == 200
    assert "Svaret måste vara ett värde från 1 till 5." in response.content.decode()
    assert not EvaluationAnswerSet.objects.exists()


def test_the_coordinator_sees_group_figures_but_no_children(leader, make_signed_in_client):
    group = make_group(leader=leader)
    place_children(group, count=1, first_names=["Ronja"])
    coordinator = make_user(Role.COORDINATOR)
    response = make_signed_in_client(coordinator).get(
        reverse("followup:group_evaluation", kwargs={"public_id": group.public_id})
    )
    assert response.status_code == 200
    assert "Ronja" not in response.content.decode()
    assert not AccessLogEntry.objects.filter(user=coordinator).exists()


def test_the_outcomes_page_stays_within_a_fixed_number_of_queries(
    leader, make_signed_in_client, django_assert_max_num_queries
):

    for index in range(3):
        group = make_group(leader=leader, name=f"Grupp {index}")
        for referral in place_children(group, count=5):
            evaluation_answer_set_record(
                group=group,
                instrument=instrument("hur-jag-har-det-barn"),
                moment="before",
                referral=referral,
                answers={"forstar": 3},
            )
    client = make_signed_in_client(make_user(Role.COORDINATOR))
    # session, user, membership, OTP device, groups for the filter, selected group ids,
    # placements, answer sets, answers, instruments, questions; the summary's selected groups,
    # placements, answer sets and satisfaction answers (+ a few for middleware)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("followup:outcomes"))
    assert response.status_code == 200
