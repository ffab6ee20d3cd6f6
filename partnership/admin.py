from django.contrib import admin
from django.contrib.auth.decorators import login_required

from .models import Agreement, BudgetLine, District, Membership, Organisation, TargetGroup

# Reference data is for superusers only; everybody else works in the app's own pages.
admin.site.has_permission = lambda request: request.user.is_active and request.user.is_superuser
# Signing in always goes through the app's login (with lockout and two-factor).
admin.site.login = login_required(admin.site.login)
admin.site.site_header = "Gruppstöd – administration"


class BudgetLineInline(admin.TabularInline):
    model = BudgetLine
    extra = 0


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "public_party", "provider", "starts_on", "ends_on"]
    list_filter = ["kind"]
    inlines = [BudgetLineInline]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "organisation_type"]
    list_filter = ["organisation_type"]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["name", "municipality", "is_active"]
    list_filter = ["municipality", "is_active"]


@admin.register(TargetGroup)
class TargetGroupAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "min_age", "max_age"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "district"]
    list_filter = ["role", "organisation", "district"]
    list_select_related = ["user", "organisation", "district"]
