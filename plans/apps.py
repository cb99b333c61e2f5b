from django.apps import AppConfig


class PlansConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "plans"

    def ready(self) -> None:
        from accounts.deletion_kinds import deletion_kind_register
        from plans import bulk, events, models  # noqa: F401 - declare the app's webhook events and bulk collection

        # The API collections whose deletions the deletions feed lists, and the scope that reads each.
        for kind, model, scope in [
            ("activity", models.Activity, "activities:read"),
            ("account_plan", models.AccountPlan, "plans:read"),
            ("action_item", models.ActionItem, "plans:read"),
            ("contact_plan_entry", models.ContactPlanEntry, "plans:read"),
            ("relationship", models.RelationshipLink, "plans:read"),
            ("visit", models.Visit, "plans:read"),
            ("sales_theme", models.SalesTheme, "plans:read"),
            ("development_proposal", models.DevelopmentProposal, "proposals:read"),
        ]:
            deletion_kind_register(kind=kind, label=model._meta.verbose_name, model=model, scope=scope)
