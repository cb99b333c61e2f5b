from django.contrib import admin

from plans.models import AccountPlan, ActionItem, Activity, ContactPlanEntry, DevelopmentProposal


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["account", "type", "occurred_at", "duration_minutes", "created_by"]
    list_filter = ["type"]
    search_fields = ["account__name", "external_id", "notes"]
    raw_id_fields = ["account", "contacts", "participants", "created_by"]
    date_hierarchy = "occurred_at"


@admin.register(AccountPlan)
class AccountPlanAdmin(admin.ModelAdmin):
    list_display = ["account", "period", "status", "owner", "decided_by"]
    list_filter = ["status"]
    search_fields = ["account__name", "period"]
    raw_id_fields = ["account", "owner", "decided_by"]


@admin.register(ActionItem)
class ActionItemAdmin(admin.ModelAdmin):
    list_display = ["action", "plan", "owner", "ends_on", "status", "completion"]
    list_filter = ["status"]
    raw_id_fields = ["account", "plan", "owner"]


@admin.register(ContactPlanEntry)
class ContactPlanEntryAdmin(admin.ModelAdmin):
    list_display = ["contact", "account", "owner", "interval_days", "starts_on"]
    raw_id_fields = ["account", "contact", "owner"]


@admin.register(DevelopmentProposal)
class DevelopmentProposalAdmin(admin.ModelAdmin):
    list_display = ["account", "status", "owner", "forecast_sales", "risk", "decided_by"]
    list_filter = ["status", "risk"]
    search_fields = ["account__name"]
    raw_id_fields = ["account", "owner", "decided_by"]
