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
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Agreement, BudgetLine, District, Membership, Organisation, TargetGroup

# Reference data is for superusers only; everybody else works in the app's own pages.
admin.site.has_permission = lambda request: request.user.is_active and request.user.is_superuser
# Signing in always goes through the app's login (with lockout and two-factor).
admin.site.login = login_required(admin.site.login)
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


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), UserAdmin)
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


admin.site.unregister(TOTPDevice)
admin.site.register(TOTPDevice, DeviceAdmin)


# Stacked, not tabular: a tabular row's inputs have only the column header, no label of their own.
class BudgetLineInline(admin.StackedInline):
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
