from django.contrib import admin
from django.contrib.auth.decorators import login_required

from .models import (
    Agreement,
    BudgetLine,
    CooperationGroupMember,
    District,
    EvaluationInstrument,
    EvaluationQuestion,
    Membership,
    Organisation,
    TargetGroup,
)

# Reference data is for superusers only; everybody else works in the app's own pages.
admin.site.has_permission = lambda request: request.user.is_active and request.user.is_superuser
# Signing in always goes through the app's login (with lockout and two-factor).
admin.site.login = login_required(admin.site.login)
admin.site.site_header = "Gruppstöd – administration"


class BudgetLineInline(admin.TabularInline):
    model = BudgetLine
    extra = 0


class CooperationGroupMemberInline(admin.TabularInline):
    model = CooperationGroupMember
    extra = 0


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ["name", "public_party", "provider", "starts_on", "ends_on"]
    inlines = [BudgetLineInline, CooperationGroupMemberInline]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind"]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["name", "municipality", "is_active"]
    list_filter = ["municipality", "is_active"]


@admin.register(TargetGroup)
class TargetGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "min_age", "max_age"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "district"]
    list_filter = ["role", "organisation", "district"]
    list_select_related = ["user", "organisation", "district"]


# --- Follow-up (issue 6): questionnaires are reference data, kept by the superuser ---


class EvaluationQuestionInline(admin.TabularInline):
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
