import datetime
import statistics
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from citywide.evaluation import evaluation_comparison, evaluation_own_against_city
from citywide.services import participant_answer_set_record
from coordination.models import Participant
from followup.models import EvaluationAnswer, EvaluationAnswerSet, EvaluationInstrument, EvaluationQuestion
from groups.methods import group_method_set, method_followed_by
from groups.models import Method, SupportGroup
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
        # As the services store it: the method the group follows when the answers are given.
        method_id=method_followed_by(SupportGroup.objects.get(pk=held.pk)),
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
    assert "de andra verksamheternas par är 1–4" in response.content.decode()
    assert make_signed_in_client(make_user(Role.SOCIAL_WORKER)).get(own).status_code == 403


# --- By method (the method library's programmes) -------------------------------------------------


def _method(name, held, **extra):
    """A method of the group's target group, followed by the group."""
    method = Method.objects.create(
        name=name, target_group=held.target_group, min_age=7, max_age=12, format="8 träffar", **extra
    )
    SupportGroup.objects.filter(pk=held.pk).update(method=method)
    return method


def test_the_coordinator_compares_methods_with_the_change_its_spread_and_suppression():
    start = timezone.localdate() - datetime.timedelta(days=90)
    cap_group = group(target_code="parental_substance_misuse", starts_on=start)
    other_cap_group = group(target_code="parental_substance_misuse", starts_on=start)
    trappan_group = group(target_code="violence_in_family", starts_on=start)
    plain_group = group(target_code="foster_care", starts_on=start)
    cap = _method("CAP", cap_group)
    SupportGroup.objects.filter(pk=other_cap_group.pk).update(method=cap)
    _method("Trappan", trappan_group)
    cap_changes = [1, 1, 2, 2, 3, 0, 2, 1]
    _children(cap_group, cap_changes[:4])
    _children(other_cap_group, cap_changes[4:])  # one method, two groups: counted together
    _children(trappan_group, [1, 1, 1, 1, 1, 1])
    _children(plain_group, [1, 2])  # no method named, two pairs: too few to show
    comparison = evaluation_comparison()
    assert [change.label for change in comparison.by_method] == ["CAP", "Trappan", "Ingen metod angiven"]
    by_method = {change.label: change for change in comparison.by_method}
    cap_change = by_method["CAP"]
    assert cap_change.pairs.count == 8 and not cap_change.suppressed
    assert cap_change.mean == pytest.approx(statistics.fmean(cap_changes))
    assert cap_change.sd == pytest.approx(statistics.stdev(cap_changes))
    assert (cap_change.q1, cap_change.q3) == (pytest.approx(1.0), pytest.approx(2.0))
    without = by_method["Ingen metod angiven"]
    assert without.pairs.small and without.mean is None and without.sd is None
    # 16 pairs in the city: with CAP's 8 shown, the 2 without a method would be 16 − 8 − 6 if
    # Trappan's 6 were shown too, so Trappan is hidden with them (complementary suppression).
    assert comparison.city.pairs.count == 16
    trappan = by_method["Trappan"]
    assert trappan.pairs.complementary and trappan.mean is None and trappan.q1 is None


def test_a_weekends_subgroups_count_under_the_weekends_method_and_a_retired_one_says_so():
    start = timezone.localdate() - datetime.timedelta(days=90)
    weekend = group(target_code="parental_substance_misuse", starts_on=start)
    subgroup = group(target_code="parental_substance_misuse", starts_on=start)
    SupportGroup.objects.filter(pk=subgroup.pk).update(parent=weekend)  # only the weekend names a method
    _method("CAP", weekend, retired_on=timezone.localdate())
    _children(subgroup, [1, 1, 1, 1, 1])
    (change,) = evaluation_comparison().by_method
    assert change.label == "CAP (avvecklad)" and change.pairs.count == 5 and change.mean == pytest.approx(1.0)


def test_when_one_comparison_cannot_hide_a_small_count_the_total_and_every_count_are_hidden():
    """4 pairs with CAP and 4 without a method, in one provider's groups: hiding both 4s is not
    enough while the city's 8 (or the provider's 8) shows, so every count is hidden."""
    start = timezone.localdate() - datetime.timedelta(days=90)
    cap_group = group(target_code="parental_substance_misuse", starts_on=start)
    plain_group = group(target_code="parental_substance_misuse", starts_on=start)
    _method("CAP", cap_group)
    _children(cap_group, [1, 1, 1, 1])
    _children(plain_group, [2, 2, 2, 2])
    comparison = evaluation_comparison()
    assert comparison.city.pairs.complementary and comparison.city.mean is None
    for changes in (comparison.by_provider, comparison.by_method, comparison.by_format, comparison.by_target_group):
        assert changes and all(change.pairs.suppressed and change.mean is None for change in changes)


def test_the_comparison_costs_the_same_however_many_methods_providers_and_answers(django_assert_max_num_queries):
    start = timezone.localdate() - datetime.timedelta(days=90)
    for n, code in enumerate(["parental_substance_misuse", "violence_in_family", "parental_mental_illness"] * 2):
        held = group(target_code=code, starts_on=start)
        _method(f"Metod {n}", held)
        _children(held, [1, 2, 3, 1, 2])
    _children(group(target_code="foster_care", starts_on=start), [1, 1, 1, 1, 1])
    # The city's figure, the providers' names, the target groups' names, one grouped query per
    # comparison (provider, method with its name, format, target group), and one for the
    # combinations the check across the tables reads: none per row.
    with django_assert_max_num_queries(8):
        comparison = evaluation_comparison(year=timezone.localdate().year)
    assert len(comparison.by_method) == 7 and comparison.city.pairs.count == 35


def test_the_comparison_page_shows_the_methods(make_signed_in_client, coordinator):
    start = timezone.localdate() - datetime.timedelta(days=90)
    cap_group = group(target_code="parental_substance_misuse", starts_on=start)
    _method("CAP – Children Are People too", cap_group)
    _children(cap_group, [1, 1, 1, 1, 1])
    _children(group(target_code="foster_care", starts_on=start), [2, 2, 2, 2, 2])
    page = make_signed_in_client(coordinator).get(reverse("citywide:evaluation_comparison")).content.decode()
    by_method = page.split("Per metod</h2>")[1].split("</table>")[0]
    assert "CAP – Children Are People too" in by_method and "Ingen metod angiven" in by_method
    assert "+1,0" in by_method and "+2,0" in by_method


# --- Differencing between the tables (followup.report.with_cross_table_suppression) -------------


def test_a_provider_less_the_method_it_alone_runs_cannot_be_worked_out():
    """The brief's example: provider P has 15 children, 12 of them in method M's groups, and runs
    all of M's groups. Each table is safe on its own (15 and 10 providers, 12 and 13 methods), but
    P − M = 3 children outside M, and their mean change from the two means."""
    start = timezone.localdate() - datetime.timedelta(days=90)
    m_group = group(target_code="parental_substance_misuse", starts_on=start)
    other_group = group(target_code="parental_substance_misuse", starts_on=start)
    q_group = group(target_code="violence_in_family", starts_on=start)
    _method("M", m_group)
    _children(m_group, [1] * 12)
    _children(other_group, [3, 3, 3])
    _children(q_group, [2] * 10)
    comparison = evaluation_comparison()
    p = {change.label: change for change in comparison.by_provider}[m_group.agreement.provider.name]
    by_method = {change.label: change for change in comparison.by_method}
    assert comparison.city.pairs.count == 25 and not comparison.city.suppressed
    assert p.pairs.count == 15 and not p.suppressed  # the providers stay...
    # ...and the methods go, both of them: "Ingen metod angiven" hidden alone would be 25 − 12.
    assert by_method["M"].pairs.count == 12
    assert all(change.suppressed and change.mean is None for change in comparison.by_method)
    # The target groups are the providers' own here (the same children twice), so they stay too.
    assert [change.pairs.count for change in comparison.by_target_group if not change.suppressed] == [15, 10]


def test_a_provider_with_five_or_more_outside_its_method_keeps_every_table():
    start = timezone.localdate() - datetime.timedelta(days=90)
    m_group = group(target_code="parental_substance_misuse", starts_on=start)
    other_group = group(target_code="parental_substance_misuse", starts_on=start)
    _method("M", m_group)
    _children(m_group, [1] * 7)
    _children(other_group, [3] * 5)  # P − M = 5: a count that could be shown anyway
    _children(group(target_code="violence_in_family", starts_on=start), [2] * 6)
    comparison = evaluation_comparison()
    tables = (comparison.by_provider, comparison.by_method, comparison.by_format, comparison.by_target_group)
    assert not any(change.suppressed for changes in tables for change in changes)
    by_method = {change.label: change for change in comparison.by_method}
    assert by_method["M"].mean == pytest.approx(1.0)
    assert by_method["Ingen metod angiven"].mean == pytest.approx((5 * 3 + 6 * 2) / 11)


def test_the_comparison_page_says_how_tables_are_protected_together(make_signed_in_client, coordinator):
    page = make_signed_in_client(coordinator).get(reverse("citywide:evaluation_comparison")).content.decode()
    assert "räknas fram genom att jämföra tabellerna" in page


# --- The method the group had when the answers were given ----------------------------------------


def test_a_groups_later_method_does_not_move_its_past_answers(coordinator):
    """Answers recorded through the service keep the method the group followed then; the group
    naming another method afterwards (group_method_set) leaves them where they were."""
    start = timezone.localdate() - datetime.timedelta(days=90)
    held = group(target_code="parental_substance_misuse", starts_on=start)
    cap = _method("CAP", held)
    recorder = make_provider_user(Role.OPERATIONS_MANAGER, held.agreement.provider)
    instrument = _instrument()
    scale = [q.code for q in instrument.questions.all() if q.kind == EvaluationQuestion.Kind.LIKERT]
    for index in range(5):
        child = Participant.objects.create(
            group=held,
            child_first_name=f"Barn{index}",
            child_age=10,
            consent_on=timezone.localdate(),
            consent_how="written",
            recorded_by=recorder,
        )
        for moment, value in (("before", 2), ("after", 4)):
            participant_answer_set_record(
                participant=child,
                instrument=instrument,
                moment=moment,
                answers=dict.fromkeys(scale, str(value)),
                entered_by=recorder,
            )
    assert set(EvaluationAnswerSet.objects.filter(group=held).values_list("method", flat=True)) == {cap.pk}
    trappan = Method.objects.create(
        name="Trappan", target_group=cap.target_group, min_age=7, max_age=12, format="8 träffar"
    )
    group_method_set(group=SupportGroup.objects.get(pk=held.pk), method=trappan, by=coordinator)
    (change,) = evaluation_comparison().by_method
    assert change.label == "CAP" and change.pairs.count == 5 and change.mean == pytest.approx(2.0)


def test_a_weekends_subgroup_stores_the_weekends_method(coordinator):
    start = timezone.localdate() - datetime.timedelta(days=90)
    weekend = group(target_code="parental_substance_misuse", starts_on=start)
    subgroup = group(target_code="parental_substance_misuse", starts_on=start)
    SupportGroup.objects.filter(pk=subgroup.pk).update(parent=weekend)
    cap = _method("CAP", weekend)
    subgroup.refresh_from_db()
    assert method_followed_by(subgroup) == cap.pk
    assert method_followed_by(SupportGroup.objects.get(pk=weekend.pk)) == cap.pk


def test_a_provider_cannot_difference_the_other_providers_few_children_out_of_the_citys_figure():
    """The provider's own 5 beside the city's 8: the other providers' 3 children (and their mean
    change) would be the difference. The city's figure is hidden; with 5 others it shows."""
    start = timezone.localdate() - datetime.timedelta(days=90)
    own_group = group(target_code="parental_mental_illness", starts_on=start)
    other = group(target_code="foster_care", starts_on=start)
    _children(own_group, [3, 3, 3, 3, 3])
    _children(other, [1, 1, 1])
    (row,) = evaluation_own_against_city(provider=own_group.agreement.provider)
    assert row.own.pairs.count == 5 and row.own.mean == pytest.approx(3.0)
    assert row.city.pairs.complementary and row.city.mean is None
    _children(other, [1, 1])
    (row,) = evaluation_own_against_city(provider=own_group.agreement.provider)
    assert not row.city.suppressed and row.city.pairs.count == 10 and row.city.mean == pytest.approx(2.0)
