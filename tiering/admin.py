from django.contrib import admin

from tiering import models


@admin.register(models.TieringConfigVersion)
class TieringConfigVersionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "created_at", "created_by", "note")
    readonly_fields = ("data", "created_at", "created_by")  # versions are immutable: save a new one instead


@admin.register(models.ScoringRun)
class ScoringRunAdmin(admin.ModelAdmin):
    list_display = ("id", "as_of", "status", "trigger", "started_at", "finished_at", "accounts_scored", "tier_changes")
    list_filter = ("status",)
    search_fields = ("error", "trigger")


@admin.register(models.AccountScore)
class AccountScoreAdmin(admin.ModelAdmin):
    list_display = ("account", "run", "is_group", "tier", "segment", "r_score", "f_score", "m_score", "composite")
    list_filter = ("tier", "category", "segment", "is_group", "overridden")
    search_fields = ("account__name", "account__external_id")
    raw_id_fields = ("account", "run")
    show_full_result_count = False


@admin.register(models.TierChange)
class TierChangeAdmin(admin.ModelAdmin):
    list_display = ("account", "from_tier", "to_tier", "run", "created_at")
    list_filter = ("to_tier", "from_tier")
    search_fields = ("account__name",)
    raw_id_fields = ("account", "run")


@admin.register(models.TierOverride)
class TierOverrideAdmin(admin.ModelAdmin):
    list_display = ("account", "tier", "expires_on", "created_by", "revoked_at")
    list_filter = ("tier",)
    search_fields = ("account__name", "reason")
    raw_id_fields = ("account",)


@admin.register(models.Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ("account", "assessed_by", "assessed_at", "prospects_rating", "strategic")
    list_filter = ("differentiation", "leaning", "strategic")
    search_fields = ("account__name", "notes")
    raw_id_fields = ("account",)
