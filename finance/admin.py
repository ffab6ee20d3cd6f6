from django.contrib import admin

from .models import AdvancePayment, AnnualReport, BudgetYear, Cost, ExternalFee, FinanceAuditEntry, TravelCost


class ReadOnlyAdmin(admin.ModelAdmin):
    """Money changes go through the finance pages and their services (with the audit log);
    the admin only shows the rows."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BudgetYear)
class BudgetYearAdmin(ReadOnlyAdmin):
    list_display = ["agreement", "year", "closed_at"]


@admin.register(AdvancePayment)
class AdvancePaymentAdmin(ReadOnlyAdmin):
    list_display = ["budget_year", "quarter", "due_on", "amount_ore", "paid_on", "reference"]


@admin.register(Cost)
class CostAdmin(ReadOnlyAdmin):
    list_display = ["budget_year", "budget_line", "spent_on", "amount_ore", "description"]


@admin.register(ExternalFee)
class ExternalFeeAdmin(ReadOnlyAdmin):
    list_display = ["municipality", "child_initials", "group_name", "amount_ore", "invoiced_on", "paid_on"]


@admin.register(TravelCost)
class TravelCostAdmin(ReadOnlyAdmin):
    list_display = ["district", "child_pseudonym", "kind", "incurred_on", "amount_ore"]


@admin.register(AnnualReport)
class AnnualReportAdmin(ReadOnlyAdmin):
    list_display = ["budget_year", "job", "created_at"]


@admin.register(FinanceAuditEntry)
class FinanceAuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "by", "action", "subject", "amount_ore", "reason"]
