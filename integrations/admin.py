"""Admin of the ERP integration."""

from django.contrib import admin

from integrations.models import IdempotencyKey, ImportBatch, WebhookDelivery, WebhookSubscription


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(admin.ModelAdmin):
    """Read-only: rows are written by the API; deleting one lets its key be used afresh."""

    list_display = ["key", "user", "status_code", "created_at"]
    list_filter = ["status_code"]
    list_select_related = ["user"]
    search_fields = ["key", "user__username"]
    readonly_fields = ["user", "key", "request_hash", "status_code", "response_body", "created_at"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:  # noqa: ANN001 - Django's signature
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["url", "is_active", "created_by", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["url"]
    exclude = ["secret"]  # shown once, on creation, in the webhooks page or API


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "subscription", "event", "status", "attempts", "last_status_code", "created_at"]
    list_filter = ["status", "event"]
    search_fields = ["subscription__url", "last_error"]
    raw_id_fields = ["subscription"]


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    """Read-only: uploads are made and confirmed on the import page."""

    list_display = ["filename", "kind", "user", "status", "created_at", "applied_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["user"]
    search_fields = ["filename", "user__username"]
    exclude = ["rows"]  # up to 50,000 records: not for a form
    readonly_fields = [
        "user",
        "kind",
        "filename",
        "headers",
        "ignored_columns",
        "preview",
        "result",
        "status",
        "created_at",
        "applied_at",
    ]

    def has_add_permission(self, request) -> bool:  # noqa: ANN001 - Django's signature
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False
