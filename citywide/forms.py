from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from followup.forms import DateInput, question_fields
from followup.models import EvaluationQuestion
from partnership.forms import CleanTextForm
from partnership.models import TargetGroup

from .demand import current_term, term_code, term_label, terms_back

# The terms the dashboard offers: this one and the nine before it (five years).
TERMS_OFFERED = 10


class DemandFilterForm(CleanTextForm):
    termin = forms.ChoiceField(label=_("Termin"), required=False)
    malgrupp = forms.ChoiceField(label=_("Målgrupp"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        language = get_language() or "sv"
        self.terms = list(reversed(terms_back(current_term(), TERMS_OFFERED)))
        self.fields["termin"].choices = [(term_code(term), term_label(term)) for term in self.terms]
        self.target_groups = {str(tg.code): tg for tg in TargetGroup.objects.order_by("name")}
        self.fields["malgrupp"].choices = [("", _("Alla målgrupper"))] + [
            (code, tg.display_name(language)) for code, tg in self.target_groups.items()
        ]

    def selection(self):
        """The chosen term and target group (this term and every target group by default)."""
        term, target_group = self.terms[0], None
        if self.is_valid():
            chosen = self.cleaned_data["termin"]
            term = next((t for t in self.terms if term_code(t) == chosen), term)
            target_group = self.target_groups.get(self.cleaned_data["malgrupp"])
        return term, target_group


class ParticipantAnswerForm(CleanTextForm):
    """A provider's staff type in a participant's questionnaire: the scale questions only."""

    moment = forms.ChoiceField(label=_("Tillfälle"))
    answered_on = forms.DateField(label=_("Besvarad den"), widget=DateInput())

    def __init__(self, *args, instrument, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["moment"].choices = instrument.moment_choices
        likert = {f"q_{q.code}" for q in instrument.questions.all() if q.kind == EvaluationQuestion.Kind.LIKERT}
        self.fields.update({name: field for name, field in question_fields(instrument).items() if name in likert})
