"""Questionnaires and the cooperation group's members are reference data, kept by the superuser."""

from django.contrib import admin

from .models import CooperationGroupMember, EvaluationInstrument, EvaluationQuestion, ReferenceGroup


@admin.register(CooperationGroupMember)
class CooperationGroupMemberAdmin(admin.ModelAdmin):
    list_display = ["name", "title", "organisation", "agreement", "reference_group"]
    list_filter = ["agreement", "reference_group", "organisation"]
    list_select_related = ["organisation", "agreement", "reference_group"]


@admin.register(ReferenceGroup)
class ReferenceGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "target_group"]
    list_select_related = ["target_group"]


# Stacked, not tabular: a tabular row's inputs have only the column header, no label of their own.
class EvaluationQuestionInline(admin.StackedInline):
    model = EvaluationQuestion
    extra = 0

    # Answers point at the exact questions asked: a questionnaire in use is changed by adding a
    # new version (a new instrument row with the next version number), never by editing it.
    def _in_use(self, obj) -> bool:
        return obj is not None and obj.pk is not None and obj.answer_sets.exists()

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._in_use(obj)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not self._in_use(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._in_use(obj)


@admin.register(EvaluationInstrument)
class EvaluationInstrumentAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "version", "audience", "is_active"]
    list_filter = ["audience", "is_active"]
    inlines = [EvaluationQuestionInline]
