from django.contrib import admin

from .models import DutyToReportReference


@admin.register(DutyToReportReference)
class DutyToReportReferenceAdmin(admin.ModelAdmin):
    list_display = ["valid_from", "reference"]
