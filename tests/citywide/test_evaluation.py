import datetime
import statistics
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from citywide.evaluation import evaluation_comparison, evaluation_own_against_city
from followup.models import EvaluationAnswer, EvaluationAnswerSet, EvaluationInstrument, EvaluationQuestion
from partnership.models import Role
from tests.citywide.factories import group
from tests.coordination.factories import make_provider_user
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _instrument():
    """The city's common "before and after" questionnaire for children (installed by a migration)."""
    return next(
        instrument
        for instrument in EvaluationInstrument.objects.filter(is_active=True, audience="child")
        if "before" in instrument.moments and "after" in instrument.moments
    )


def _answers(held, instrument, moment, key, value, *, on=None):
    answer_set = EvaluationAnswerSet.objects.create(
        instrument=instrument,
        moment=moment,
        group=held,
        respondent_key=key,
        group_format=held.format,
        age_band="10-12",
        channel="entered",
        answered_on=on or timezone.localdate(),
    )
    questions = instrument.questions.filter(kind=EvaluationQuestion.Kind.LIKERT)
    EvaluationAnswer.objects.bulk_create(
        EvaluationAnswer(answer_set=answer_set, question=question, value=value) for question in questions
    )


def _children(held, changes, *, before=2):
    instrument = _instrument()
    for change in changes:
        key = uuid.uuid4()
        _answers(held, instrument, "before", key, before)
        _answers(held, instrument, "after", key, before + change)
    # A child answered only after: no pair, not counted.
    _answers(held, instrument, "after", uuid.uuid4(), 5)


def test_the_coordinator_compares_providers_with_the_change_and_its_spread():
    start = timezone.localdate() - datetime.timedelta(days=90)
    bris_group = group(target_code="foster_care", starts_on=start)
    violence_group = group(target_code="violence_in_family", starts_on=start)
    källan_group = group(target_code="parental_mental_illness", starts_on=start)
    bris_changes = [1, 1, 2, 2, 3, 0, 2, 1]
    _children(bris_group, bris_changes)
    _children(violence_group, [1, 1, 1, 1, 1, 1])
    _children(källan_group, [1, 2])  # two pairs: too few to show
    comparison = evaluation_comparison()
    by_provider = {change.label: change for change in comparison.by_provider}
    bris = by_provider[bris_group.agreement.provider.name]
    assert bris.pairs.count == 8 and not bris.suppressed
    assert bris.mean == pytest.approx(statistics.fmean(bris_changes))
    assert bris.sd == pytest.approx(statistics.stdev(bris_changes))
    assert bris.q1 == pytest.approx(1.0) and bris.q3 == pytest.approx(2.0)
    källan = by_provider[källan_group.agreement.provider.name]
    assert källan.suppressed and källan.mean is None
    # With the city's 16 pairs shown, Källan's 2 could be worked out from the others: the smallest
    # other provider is hidden with it (complementary suppression).
    assert comparison.city.pairs.count == 16
    violence = by_provider[violence_group.agreement.provider.name]
    assert violence.pairs.complementary and violence.mean is None
    assert [change.label for change in comparison.by_format] == ["Veckovis stödgrupp"]


def test_a_provider_sees_its_own_results_beside_the_citys():
    start = timezone.localdate() - datetime.timedelta(days=90)
    bris_group = group(target_code="foster_care", starts_on=start)
    other = group(target_code="parental_mental_illness", starts_on=start)
    _children(bris_group, [1, 1, 1, 1, 1])
    _children(other, [3, 3, 3, 3, 3])
    rows = evaluation_own_against_city(provider=other.agreement.provider)
    assert len(rows) == 1
    assert rows[0].own.mean == pytest.approx(3.0) and rows[0].own.pairs.count == 5
    assert rows[0].city.mean == pytest.approx(2.0) and rows[0].city.pairs.count == 10


def test_who_opens_the_evaluation_pages(client, make_signed_in_client, coordinator):
    comparison, own = reverse("citywide:evaluation_comparison"), reverse("citywide:evaluation_own")
    assert client.get(comparison).status_code == 302
    signed_in = make_signed_in_client(coordinator)
    assert signed_in.get(comparison).status_code == 200
    assert signed_in.get(comparison + "?ar=abc").status_code == 200
    assert signed_in.post(comparison).status_code == 405
    assert signed_in.get(own).status_code == 403  # the coordinator has no provider of their own
    start = timezone.localdate() - datetime.timedelta(days=90)
    held = group(target_code="parental_mental_illness", starts_on=start)
    _children(held, [2, 2, 2, 2, 2])
    staff = make_signed_in_client(make_provider_user(Role.GROUP_LEADER, held.agreement.provider))
    assert staff.get(comparison).status_code == 403
    response = staff.get(own)
    assert response.status_code == 200
    assert held.agreement.provider.name in response.content.decode()
    assert make_signed_in_client(make_user(Role.SOCIAL_WORKER)).get(own).status_code == 403
