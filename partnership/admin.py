from django.conf import settings
from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import (
    AdminPasswordChangeForm,
    ReadOnlyPasswordHashWidget,
    SetUnusablePasswordMixin,
    UserChangeForm,
)
from django.contrib.auth.models import Group
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import services
from .models import Agreement, BudgetLine, District, Membership, Organisation, TargetGroup

# Reference data is for superusers only; everybody else works in the app's own pages.
admin.site.has_permission = lambda request: request.user.is_active and request.user.is_superuser  # type: ignore[method-assign]
# Signing in always goes through the app's login (with lockout and two-factor).
admin.site.login = login_required(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = "Gruppstöd – administration"


# --- Valid HTML in Django's own user and device pages (the Nu Html Checker, issue 14) ----------


class PasswordSummaryWidget(ReadOnlyPasswordHashWidget):
    """The password summary is a <div>: "disabled" is not an attribute a <div> may have."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].pop("disabled", None)
        return context


class UserAdminChangeForm(UserChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "password" in self.fields:
            self.fields["password"].widget = PasswordSummaryWidget()


class UserAdminPasswordForm(AdminPasswordChangeForm):
    # The admin shows help text inside a <p>, so the warning is a <span>, not Django's <ul>.
    usable_password_help_text = format_html(
        '{} <span id="id_unusable_warning" class="warning">{}</span>',
        SetUnusablePasswordMixin.usable_password_help_text,
        _("Stängs det av försvinner användarens nuvarande lösenord."),
    )


class UserAdmin(auth_admin.UserAdmin):
    form = UserAdminChangeForm
    change_password_form = UserAdminPasswordForm
    # Plain multiple selects: the two-pane widget's search icons carry ARIA a <span> may not have.
    filter_horizontal = ()
    # Kept by Django itself; editing them took a date and a time input under a single label.
    readonly_fields = ("last_login", "date_joined")


class GroupAdmin(auth_admin.GroupAdmin):
    filter_horizontal = ()


admin.site.unregister(Group)
admin.site.register(Group, GroupAdmin)


class DeviceAdmin(TOTPDeviceAdmin):
    # Kept by django-otp itself; editing it took a date and a time input under a single label.
    readonly_fields = (*TOTPDeviceAdmin.readonly_fields, "throttling_failure_timestamp")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        # A hidden copy of the generated key's first value would carry aria-describedby, which a
        # hidden input may not have; the key is only shown when a device is added.
        if "key" in form.base_fields:
            form.base_fields["key"].show_hidden_initial = False
        return form


# Stacked, not tabular: a tabular row's inputs have only the column header, no label of their own.
class BudgetLineInline(admin.StackedInline):
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

    # A role or district change takes effect on the member's next request (nothing caches it)
    # and is logged with who made it.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.membership_change_log(membership=obj, by=request.user)

    def delete_model(self, request, obj):
        services.membership_change_log(membership=obj, by=request.user, removed=True)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("user", "organisation", "district"):
            services.membership_change_log(membership=membership, by=request.user, removed=True)
        super().delete_queryset(request, queryset)


# --- Accounts: two-factor enrolment codes, and every change in the access log ------------------


@admin.action(description=_("Utfärda engångskod för tvåstegsverifiering"))
def issue_two_factor_enrolment_code(modeladmin, request, queryset):
    """The code is shown once, on this page, and never stored in clear (nor in a message cookie)."""
    issued = [
        (user.get_username(), services.two_factor_enrolment_code_issue(user=user, by=request.user))
        for user in queryset.order_by("username")
    ]
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Engångskoder för tvåstegsverifiering"),
        "issued": issued,
        "days": settings.TWO_FACTOR_ENROLMENT_CODE_DAYS,
    }
    return TemplateResponse(request, "admin/partnership/two_factor_enrolment_codes.html", context)


admin.site.unregister(get_user_model())


@admin.register(get_user_model())
class AccountAdmin(UserAdmin):
    actions = [issue_two_factor_enrolment_code]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        rights = {"is_active", "is_staff", "is_superuser", "groups", "user_permissions"}
        if not change or rights & set(form.changed_data):
            services.account_rights_change_log(user=obj, by=request.user)


admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class LoggedTOTPDeviceAdmin(DeviceAdmin):
    """Removing someone's authenticator is logged with who did it."""

    def delete_model(self, request, obj):
        services.totp_device_remove(device=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for device in queryset.select_related("user"):
            services.totp_device_remove(device=device, by=request.user)
