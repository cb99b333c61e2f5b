from axes.utils import reset as axes_reset
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.forms import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from accounts import models
from accounts.permissions import owner_choices
from accounts.services import (
    account_delete,
    contact_delete,
    contact_update,
    deleted_records_write,
    team_member_delete,
)


class RecordsDeletions(admin.ModelAdmin):
    """An admin whose deletes leave tombstones for the deletions feed (`GET /api/v1/deletions/`),
    the row's and those of the registered rows deleted with it: one `delete_row` per row, also
    for the list's "delete selected" action (which would otherwise delete in one query). Apps
    override `delete_row` to call their delete service (which also announces the deletion)."""

    def delete_row(self, obj: object) -> None:
        with transaction.atomic():
            deleted_records_write(instance=obj)
            obj.delete()

    def delete_model(self, request, obj) -> None:  # noqa: ANN001 - Django's signature
        self.delete_row(obj)

    def delete_queryset(self, request, queryset) -> None:  # noqa: ANN001 - Django's signature
        with transaction.atomic():
            for obj in queryset:
                self.delete_row(obj)


@admin.register(models.User)
class UserAdmin(RecordsDeletions, BaseUserAdmin):  # a person's relationship links go with them
    fieldsets = (*BaseUserAdmin.fieldsets, (_("KAM"), {"fields": ("role", "team")}))
    list_display = ("username", "first_name", "last_name", "role", "team", "is_active")
    list_filter = ("role", "team", "is_active", "is_staff")
    actions = ["unlock_sign_in"]

    @admin.action(description=_("Unlock sign-in (clear failed attempts)"))
    def unlock_sign_in(self, request, queryset):  # noqa: ANN001, ANN201 - Django's signature
        # Lock-outs by address are listed (and cleared) under Axes > Access attempts.
        cleared = sum(axes_reset(username=user.username) for user in queryset)
        self.message_user(request, _("Unlocked; %(n)d failed attempt records cleared.") % {"n": cleared})


@admin.register(models.Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "manager")
    search_fields = ("name", "manager__username")
    list_filter = ("manager",)


@admin.register(models.Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "kind")
    list_filter = ("kind",)
    search_fields = ("name",)


class TeamMemberFormSet(BaseInlineFormSet):
    def delete_existing(self, obj, commit: bool = True) -> None:  # noqa: ANN001 - Django's signature
        if commit:
            team_member_delete(member=obj)  # leaves a tombstone, like the API


class TeamMemberInline(admin.TabularInline):
    model = models.AccountTeamMember
    formset = TeamMemberFormSet
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(models.Account)
class AccountAdmin(RecordsDeletions):
    list_display = ("name", "external_id", "tier", "category", "industry", "region", "owner", "parent")
    list_filter = ("tier", "category", "relationship_type", "lifecycle_stage", "credit_level", "region", "industry")
    search_fields = ("name", "english_name", "external_id")
    autocomplete_fields = ("parent", "owner")
    filter_horizontal = ("tags",)
    readonly_fields = ("tier", "category", "created_at", "updated_at")
    inlines = [TeamMemberInline]

    def delete_row(self, obj: models.Account) -> None:
        account_delete(account=obj)  # tombstones for everything it owns, and account.deleted

    def formfield_for_foreignkey(self, db_field, request, **kwargs):  # noqa: ANN001, ANN201 - Django's signature
        if db_field.name == "owner":  # the hand-over rule: never the integration user, never nobody
            kwargs["queryset"] = owner_choices(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(models.AccountTeamMember)
class AccountTeamMemberAdmin(RecordsDeletions):
    list_display = ("account", "role", "user")
    list_filter = ("role",)
    search_fields = ("account__name", "user__username")
    autocomplete_fields = ("account", "user")

    def delete_row(self, obj: models.AccountTeamMember) -> None:
        team_member_delete(member=obj)


@admin.register(models.Contact)
class ContactAdmin(RecordsDeletions):
    list_display = ("name", "account", "title", "department", "buying_role", "attitude", "is_active")
    list_filter = ("buying_role", "attitude", "is_active")
    search_fields = ("name", "account__name", "title", "email", "external_id")
    autocomplete_fields = ("account", "reports_to")

    def delete_row(self, obj: models.Contact) -> None:
        contact_delete(contact=obj)  # and contact.deleted

    def save_model(self, request, obj, form, change):  # noqa: ANN001, ANN201 - Django's signature
        if change:
            contact_update(contact=obj, data={})  # records the past role if the person moved
        else:
            super().save_model(request, obj, form, change)


@admin.register(models.ContactRoleHistory)
class ContactRoleHistoryAdmin(admin.ModelAdmin):
    list_display = ("contact", "account", "title", "buying_role", "ended_at")
    list_filter = ("buying_role",)
    search_fields = ("contact__name", "account__name")


@admin.register(models.Order)
class OrderAdmin(RecordsDeletions):
    list_display = ("external_id", "account", "ordered_at", "amount", "margin", "status")
    list_filter = ("status", "ordered_at")
    search_fields = ("external_id", "account__name")
    autocomplete_fields = ("account",)
    date_hierarchy = "ordered_at"
    show_full_result_count = False  # a COUNT(*) over millions of orders on every page is too slow


@admin.register(models.Invoice)
class InvoiceAdmin(RecordsDeletions):
    list_display = ("external_id", "account", "issued_on", "due_on", "amount")
    list_filter = ("issued_on",)
    search_fields = ("external_id", "account__name")
    autocomplete_fields = ("account", "order")


@admin.register(models.Payment)
class PaymentAdmin(RecordsDeletions):
    list_display = ("external_id", "account", "amount", "due_on", "paid_on")
    list_filter = ("due_on", "paid_on")
    search_fields = ("external_id", "account__name")
    autocomplete_fields = ("account", "invoice", "order")
    show_full_result_count = False


@admin.register(models.Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ("subject", "account", "kind", "status", "received_on")
    list_filter = ("kind", "status")
    search_fields = ("subject", "account__name", "body")
    autocomplete_fields = ("account", "contact")


@admin.register(models.ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("prefix", "user__username", "name")
    readonly_fields = ("prefix", "key_hash", "created_at", "last_used_at")
