from django.contrib import admin

from plans.models import Activity


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["account", "type", "occurred_at", "duration_minutes", "created_by"]
    list_filter = ["type"]
    search_fields = ["account__name", "external_id", "notes"]
    raw_id_fields = ["account", "contacts", "participants", "created_by"]
    date_hierarchy = "occurred_at"
