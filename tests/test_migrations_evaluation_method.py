"""Evaluation answers keep their method (followup 0009) on a database that already holds answers:
each answer set gets the method its group names now, a weekend's subgroup its weekend's, a group
without one none; and from then on a group's new method leaves the answers where they were."""

import datetime
import uuid

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from followup.models import EvaluationAnswerSet, EvaluationInstrument
from groups.models import Method, SupportGroup
from tests.citywide.factories import group

BEFORE = [("followup", "0008_information_meetings_across_the_city")]


def _method(name, held):
    method = Method.objects.create(name=name, target_group=held.target_group, min_age=7, max_age=12, format="8 träffar")
    SupportGroup.objects.filter(pk=held.pk).update(method=method)
    return method


def test_existing_answers_get_their_groups_method_and_keep_it(migrator_factory):
    migrator_factory()  # puts the test database back to the latest layout afterwards
    start = timezone.localdate() - datetime.timedelta(days=90)
    cap_group = group(target_code="parental_substance_misuse", starts_on=start)
    weekend = group(target_code="parental_substance_misuse", starts_on=start)
    subgroup = group(target_code="parental_substance_misuse", starts_on=start)
    plain = group(target_code="parental_substance_misuse", starts_on=start)
    SupportGroup.objects.filter(pk=subgroup.pk).update(parent=weekend)
    cap = _method("CAP", cap_group)
    trappan = _method("Trappan", weekend)
    instrument = next(
        i for i in EvaluationInstrument.objects.filter(is_active=True, audience="child") if "after" in i.moments
    )

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    executor.loader.build_graph()
    old = executor.loader.project_state(BEFORE).apps
    OldAnswerSet = old.get_model("followup", "EvaluationAnswerSet")
    assert "method" not in {field.name for field in OldAnswerSet._meta.get_fields()}
    made = {}
    for held in (cap_group, subgroup, plain):
        made[held.pk] = [
            OldAnswerSet.objects.create(
                instrument_id=instrument.pk,
                moment=moment,
                group_id=held.pk,
                respondent_key=uuid.uuid4(),
                group_format="weekly",
                age_band="10-12",
                channel="entered",
                answered_on=start,
            ).pk
            for moment in ("before", "after")
        ]

    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    def methods(held):
        return set(EvaluationAnswerSet.objects.filter(pk__in=made[held.pk]).values_list("method_id", flat=True))

    assert methods(cap_group) == {cap.pk}
    assert methods(subgroup) == {trappan.pk}  # the weekend's: the subgroup names none
    assert methods(plain) == {None}
    # The group follows another method from now on: the answers stay with CAP.
    SupportGroup.objects.filter(pk=cap_group.pk).update(method=trappan)
    assert methods(cap_group) == {cap.pk}
