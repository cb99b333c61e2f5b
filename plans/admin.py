from django.contrib import admin

from accounts.admin import RecordsDeletions
from plans import services
from plans.models import AccountPlan, ActionItem, Activity, ContactPlanEntry, DevelopmentProposal

# Deleting here goes through the delete services: tombstones for syncing clients, `*.deleted` events.


@admin.register(Activity)
class ActivityAdmin(RecordsDeletions):
    list_display = ["account", "type", "occurred_at", "duration_minutes", "created_by"]
    list_filter = ["type"]
    search_fields = ["account__name", "external_id", "notes"]
    raw_id_fields = ["account", "contacts", "participants", "created_by"]
    date_hierarchy = "occurred_at"

    def delete_row(self, obj: Activity) -> None:
        services.activity_delete(activity=obj)


@admin.register(AccountPlan)
class AccountPlanAdmin(RecordsDeletions):
    list_display = ["account", "period", "status", "owner", "decided_by"]
    list_filter = ["status"]
    search_fields = ["account__name", "period"]
    raw_id_fields = ["account", "owner", "decided_by"]

    def delete_row(self, obj: AccountPlan) -> None:
        services.account_plan_delete(plan=obj)


@admin.register(ActionItem)
class ActionItemAdmin(RecordsDeletions):
    list_display = ["action", "plan", "owner", "ends_on", "status", "completion"]
    list_filter = ["status"]
    raw_id_fields = ["account", "plan", "owner"]

    def delete_row(self, obj: ActionItem) -> None:
        services.action_delete(item=obj)


@admin.register(ContactPlanEntry)
class ContactPlanEntryAdmin(RecordsDeletions):
    list_display = ["contact", "account", "owner", "interval_days", "starts_on"]
    raw_id_fields = ["account", "contact", "owner"]

    def delete_row(self, obj: ContactPlanEntry) -> None:
        services.contact_plan_remove(entry=obj)


@admin.register(DevelopmentProposal)
class DevelopmentProposalAdmin(admin.ModelAdmin):
    list_display = ["account", "status", "owner", "forecast_sales", "risk", "decided_by"]
    list_filter = ["status", "risk"]
    search_fields = ["account__name"]
    raw_id_fields = ["account", "owner", "decided_by"]
