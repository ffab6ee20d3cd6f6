from django.contrib import admin
from django.contrib.auth.decorators import login_required

from .models import Agreement, BudgetLine, District, Membership, Organisation, TargetGroup

# Reference data is for superusers only; everybody else works in the app's own pages.
admin.site.has_permission = lambda request: request.user.is_active and request.user.is_superuser  # type: ignore[method-assign]
# Signing in always goes through the app's login (with lockout and two-factor).
admin.site.login = login_required(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = "Gruppstöd – administration"


class BudgetLineInline(admin.TabularInline):
    model = BudgetLine
    extra = 0


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ["name", "public_party", "provider", "starts_on", "ends_on"]
    inlines = [BudgetLineInline]


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
