"""State changes of the city-wide view: a provider outside the IOP records the city's common
evaluation for the children it took in (coordination.Participant), so that its results stand
beside everyone else's.

A participant has no referral, so its answer sets carry none: before and after are paired by a
respondent key derived from the participant's public id (uuid5), the same for every answer of
the child and never stored beside a name. Only scale answers are kept: a free-text answer could
name the child, and the participant's purge (coordination) clears the participant, not answers.
"""

import datetime
import uuid
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination.models import Participant
from followup.evaluation import age_band_for, evaluation_answers_clean, instrument_for_audience_age
from followup.models import EvaluationAnswer, EvaluationAnswerSet, EvaluationInstrument, EvaluationQuestion
from groups.methods import method_followed_by

# Fixed: changing it would unpair every participant's before from their after.
PARTICIPANT_RESPONDENT_NAMESPACE = uuid.UUID("5f0b8f6e-5a8e-4c55-9a57-6c1f2d3e4b70")


def participant_respondent_key(participant: Participant) -> uuid.UUID:
    return uuid.uuid5(PARTICIPANT_RESPONDENT_NAMESPACE, str(participant.public_id))


@transaction.atomic
def participant_answer_set_record(
    *,
    participant: Participant,
    instrument: EvaluationInstrument,
    moment: str,
    answers: dict[str, Any],
    entered_by: User,
    answered_on: datetime.date | None = None,
) -> EvaluationAnswerSet:
    """Store a participant's filled-in questionnaire (scale answers only). Nothing is stored if
    an answer is outside its scale, the questionnaire does not fit the child's age or moment, or
    the child already has answers for it at that moment."""
    participant = Participant.objects.select_for_update().select_related("group").get(pk=participant.pk)
    if participant.removed_at or participant.purged_at:
        raise ValidationError(_("Barnet deltar inte längre i gruppen."), code="not_participating")
    if not instrument.is_active:
        raise ValidationError({"moment": _("Formuläret används inte längre.")})
    if moment not in instrument.moments:
        raise ValidationError({"moment": _("Formuläret används inte vid det tillfället.")})
    if not instrument_for_audience_age(instrument, participant.child_age):
        raise ValidationError(_("Formuläret passar inte barnets ålder."), code="age")
    key = participant_respondent_key(participant)
    if EvaluationAnswerSet.objects.filter(
        group=participant.group, respondent_key=key, instrument=instrument, moment=moment
    ).exists():
        raise ValidationError(
            {"moment": _("Det finns redan svar på det här formuläret för barnet vid det tillfället.")}
        )
    scale_answers = {
        question.code: answers.get(question.code)
        for question in instrument.questions.all()
        if question.kind == EvaluationQuestion.Kind.LIKERT
    }
    cleaned = evaluation_answers_clean(instrument, scale_answers)
    answer_set = EvaluationAnswerSet.objects.create(
        instrument=instrument,
        moment=moment,
        group=participant.group,
        referral=None,
        respondent_key=key,
        group_format=participant.group.format,
        method_id=method_followed_by(participant.group),
        age_band=age_band_for(participant.child_age),
        district=participant.group.district,
        channel=EvaluationAnswerSet.Channel.ENTERED,
        entered_by=entered_by,
        answered_on=answered_on or timezone.localdate(),
    )
    EvaluationAnswer.objects.bulk_create(
        EvaluationAnswer(answer_set=answer_set, question=question, value=value, text="")
        for question, value, _text in cleaned
    )
    return answer_set
