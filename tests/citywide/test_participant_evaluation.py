import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from citywide.evaluation import evaluation_own_against_city
from citywide.services import participant_answer_set_record
from coordination.models import Participant
from followup.models import EvaluationAnswer, EvaluationAnswerSet, EvaluationInstrument, EvaluationQuestion
from partnership.models import Role
from tests.citywide.factories import group
from tests.coordination.factories import make_provider, make_provider_user
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _instrument():
    return next(
        i
        for i in EvaluationInstrument.objects.filter(is_active=True, audience="child")
        if {"before", "after"} <= set(i.moments)
    )


def _scale(instrument, value):
    return {q.code: str(value) for q in instrument.questions.all() if q.kind == EvaluationQuestion.Kind.LIKERT}


@pytest.fixture
def taken_in():
    held = group(target_code="parental_mental_illness", starts_on=timezone.localdate() - datetime.timedelta(days=60))
    recorder = make_provider_user(Role.OPERATIONS_MANAGER, held.agreement.provider)
    children = [
        Participant.objects.create(
            group=held,
            child_first_name=f"Barn{index}",
            child_age=9,
            consent_on=timezone.localdate(),
            consent_how="written",
            recorded_by=recorder,
        )
        for index in range(5)
    ]
    return held, recorder, children


def test_a_providers_participants_are_evaluated_with_the_citys_common_set(taken_in):
    held, recorder, children = taken_in
    instrument = _instrument()
    for child in children:
        participant_answer_set_record(
            participant=child,
            instrument=instrument,
            moment="before",
            answers=_scale(instrument, 2),
            entered_by=recorder,
        )
        participant_answer_set_record(
            participant=child, instrument=instrument, moment="after", answers=_scale(instrument, 4), entered_by=recorder
        )
    sets = EvaluationAnswerSet.objects.filter(group=held)
    assert sets.count() == 10 and not sets.filter(referral__isnull=False).exists()
    assert set(sets.values_list("age_band", flat=True)) == {"7-9"}
    rows = evaluation_own_against_city(provider=held.agreement.provider)
    assert rows[0].own.pairs.count == 5 and rows[0].own.mean == pytest.approx(2.0)
    # Free text is never kept for a participant.
    assert not EvaluationAnswer.objects.filter(answer_set__group=held).exclude(text="").exists()


def test_a_second_answer_at_the_same_moment_and_a_bad_value_are_refused(taken_in):
    _held, recorder, children = taken_in
    instrument = _instrument()
    participant_answer_set_record(
        participant=children[0],
        instrument=instrument,
        moment="before",
        answers=_scale(instrument, 2),
        entered_by=recorder,
    )
    with pytest.raises(ValidationError):
        participant_answer_set_record(
            participant=children[0],
            instrument=instrument,
            moment="before",
            answers=_scale(instrument, 3),
            entered_by=recorder,
        )
    with pytest.raises(ValidationError):
        participant_answer_set_record(
            participant=children[1],
            instrument=instrument,
            moment="before",
            answers=_scale(instrument, 9),
            entered_by=recorder,
        )
    assert EvaluationAnswerSet.objects.count() == 1


def test_the_pages_are_the_providers_own(client, make_signed_in_client, taken_in, coordinator):
    held, recorder, children = taken_in
    instrument = _instrument()
    list_url = reverse("citywide:participant_evaluations")
    answer_url = reverse(
        "citywide:participant_answer",
        kwargs={"public_id": children[0].public_id, "instrument_id": instrument.public_id},
    )
    assert client.get(answer_url).status_code == 302
    staff = make_signed_in_client(recorder)
    page = staff.get(list_url)
    assert page.status_code == 200 and "Barn0" in page.content.decode()
    assert staff.get(answer_url).status_code == 200
    response = staff.post(
        answer_url,
        {
            "moment": "before",
            "answered_on": timezone.localdate().isoformat(),
            **{f"q_{k}": v for k, v in _scale(instrument, 3).items()},
        },
    )
    assert response.status_code == 302
    assert EvaluationAnswerSet.objects.filter(group=held, moment="before").count() == 1
    # A value outside the scale: the error beside the field, nothing saved.
    question = next(iter(_scale(instrument, 3)))
    response = staff.post(
        answer_url, {"moment": "after", "answered_on": timezone.localdate().isoformat(), f"q_{question}": "9"}
    )
    assert response.status_code == 200 and EvaluationAnswerSet.objects.filter(moment="after").count() == 0
    # Another provider's staff: 404; the coordinator and a social worker: 403.
    other = make_provider_user(Role.GROUP_LEADER, make_provider(name="Annan förening", short_name="Annan"))
    assert make_signed_in_client(other).get(answer_url).status_code == 404
    assert "Barn0" not in make_signed_in_client(other).get(list_url).content.decode()
    assert make_signed_in_client(coordinator).get(answer_url).status_code == 404
    assert make_signed_in_client(coordinator).get(list_url).status_code == 403
    assert make_signed_in_client(make_user(Role.SOCIAL_WORKER)).get(list_url).status_code == 403
