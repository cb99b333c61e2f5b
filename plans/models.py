"""The rep's working half of KAM (DOMAIN.md "Plans"): activities logged against an account and
its contacts, and the plans built on them. Every model hangs off an account and is visible
exactly when its account is (accounts/visibility.py)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import MONEY, Account, Contact, erp_id_unique, sync_index
from accounts.visibility import AccountOwnedQuerySet


class Activity(models.Model):
    """A call, meeting, visit, e-mail or message with an account. The one source of "last
    contacted", "decision maker contacted recently", contact-plan status and visit rates."""

    class Type(models.TextChoices):
        CALL = "call", _("Call")
        MEETING = "meeting", _("Meeting")
        VISIT = "visit", _("Visit")
        EMAIL = "email", _("E-mail")
        MESSAGE = "message", _("Message (WeChat)")

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="activities")
    # The key of a calendar or e-mail system that pushes activities; NULL when logged here.
    external_id = models.CharField(_("external ID"), max_length=64, null=True, blank=True)
    type = models.CharField(_("type"), max_length=10, choices=Type.choices)
    occurred_at = models.DateTimeField(_("when"))
    duration_minutes = models.PositiveIntegerField(
        _("duration (minutes)"), null=True, blank=True, validators=[MaxValueValidator(24 * 60)]
    )
    contacts = models.ManyToManyField(Contact, verbose_name=_("contacts"), blank=True, related_name="activities")
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("our participants"), blank=True, related_name="activities"
    )
    notes = models.TextField(_("notes"), blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("logged by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = AccountOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [erp_id_unique("activity")]
        # The account timeline reads an account's newest activities first.
        indexes = [
            models.Index(fields=["account", "-occurred_at"], name="activity_account_time"),
            # An account's last visit ("not visited for too long", the next planned visit): one
            # entry per probe instead of walking the account's calls and e-mails to a visit.
            models.Index(fields=["account", "-occurred_at"], condition=Q(type="visit"), name="activity_last_visit"),
            sync_index("activity"),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} · {self.occurred_at:%Y-%m-%d}"


class LastVisit(models.Model):
    """An account's latest visit activity (the max `occurred_at` of its activities of type
    visit), stored for "not visited for too long" at size (issue 9). No row when the account has
    no visit. Kept by the database triggers of migration plans/0017 on plans_activity (every
    writer: services, bulk paths, raw SQL); nothing in Python writes it. Its own table, not an
    account column: account rows are wide and their writes feed the sync cursor and access.
    On PostgreSQL its `occurred_at` is also copied onto the account's row (column
    `last_visit_at`, which the ORM does not declare, kept by triggers on this table: plans/0018)
    for "not visited for too long" as index ranges of (owner, category, last visit)."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, primary_key=True, related_name="last_visit")
    occurred_at = models.DateTimeField(editable=False)

    objects = AccountOwnedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.account}: {self.occurred_at:%Y-%m-%d}"


PERIOD_PATTERN = r"^\d{4}(-Q[1-4])?$"  # "2026" (a year) or "2026-Q2" (a quarter)


class AccountPlan(models.Model):
    """An account plan for one period (制定客户计划): objectives, relationship stage and the
    tier's strategy, written by the account's people and approved by their manager."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned")

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="plans")
    period = models.CharField(
        _("period"),
        max_length=7,
        validators=[RegexValidator(PERIOD_PATTERN, _("A year (2026) or a quarter (2026-Q2)."))],
        help_text=_("A year (2026) or a quarter (2026-Q2)."),
    )
    position_target = models.TextField(_("position target (山头目标)"), blank=True)
    share_target = models.DecimalField(
        _("share of wallet target, %"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    revenue_target = models.DecimalField(
        _("revenue target"), null=True, blank=True, validators=[MinValueValidator(0)], **MONEY
    )
    profit_target = models.DecimalField(_("profit target (利润目标)"), null=True, blank=True, **MONEY)
    success_probability = models.PositiveSmallIntegerField(
        _("success probability, %"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    lifecycle_stage = models.CharField(
        _("relationship stage"), max_length=20, choices=Account.LifecycleStage.choices, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="account_plans"
    )
    # The tier and its strategy when the plan was approved (the live ones move every night).
    frozen_tier = models.CharField(_("tier when approved"), max_length=2, blank=True)
    frozen_strategy = models.TextField(_("strategy when approved"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    return_comment = models.TextField(_("comment when returned"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = AccountOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-period", "account", "id"]
        verbose_name = _("account plan")
        verbose_name_plural = _("account plans")
        constraints = [models.UniqueConstraint(fields=["account", "period"], name="one_plan_per_account_period")]
        indexes = [
            models.Index(fields=["status", "owner"], name="plan_status_owner"),
            # "my work": a person's drafts and returned plans in the page's order (returned first):
            # the first rows of an index, not a sort of all of them
            models.Index(fields=["owner", "-status", "period", "id"], name="plan_owner_status_order"),
            # "my work": the plans awaiting a manager's approval, the oldest first: a walk of the
            # submitted plans in that order that stops at the page's rows (issue 9: a sort of
            # every submitted plan of the teams was most of a manager's page)
            models.Index(fields=["submitted_at", "id"], condition=Q(status="submitted"), name="plan_submitted_order"),
            sync_index("account_plan"),
        ]

    def __str__(self) -> str:
        return f"{self.account} · {self.period}"

    @property
    def editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


class DevelopmentProposal(models.Model):
    """A key-account development proposal (重点客户开发建议书 / 开发申请, DOMAIN.md "Plans", seed
    004): before chasing a potential key account, its rep forecasts a year's sales, margin, the
    cost of serving it and the risk, and their manager approves or returns it. The computed
    figures (expected profit …) are plans.domain.proposals, never stored."""

    Status = AccountPlan.Status  # the account plan's workflow (plans.domain.plans.WORKFLOW)

    class Risk(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="development_proposals")
    forecast_sales = models.DecimalField(
        _("forecast sales per year (销售总额)"), validators=[MinValueValidator(0)], **MONEY
    )
    margin_percent = models.DecimalField(
        _("forecast margin, %"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    management_cost = models.DecimalField(
        _("management cost per year"), default=0, validators=[MinValueValidator(0)], **MONEY
    )
    travel_cost = models.DecimalField(_("travel cost per year"), default=0, validators=[MinValueValidator(0)], **MONEY)
    other_cost = models.DecimalField(
        _("business and operating cost per year"), default=0, validators=[MinValueValidator(0)], **MONEY
    )
    risk = models.CharField(_("risk"), max_length=10, choices=Risk.choices, default=Risk.MEDIUM)
    risk_notes = models.TextField(_("risks"), blank=True)
    competitive_advantage = models.TextField(_("our competitive advantage"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="development_proposals",
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    return_comment = models.TextField(_("comment when returned"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = AccountOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("development proposal")
        verbose_name_plural = _("development proposals")
        # "My work" and the reminder job read proposals by status and owner.
        indexes = [models.Index(fields=["status", "owner"], name="proposal_status_owner"), sync_index("proposal")]

    def __str__(self) -> str:
        return f"{self.account} · {self.created_at:%Y-%m-%d}" if self.created_at else str(self.account)

    @property
    def editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


class PlanReview(models.Model):
    """A monthly PDCA review of a plan, with the manager's comment."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")  # = plan.account
    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="reviews")
    month = models.DateField(_("month"))  # its first day
    notes = models.TextField(_("review (plan, do, check, act)"))
    manager_comment = models.TextField(_("manager's comment"), blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = AccountOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "-id"]
        verbose_name = _("plan review")
        verbose_name_plural = _("plan reviews")
        constraints = [models.UniqueConstraint(fields=["plan", "month"], name="one_review_per_plan_month")]
        indexes = [sync_index("plan_review")]

    def __str__(self) -> str:
        return f"{self.plan} · {self.month:%Y-%m}"


class ActionItem(models.Model):
    """One line of an account plan's action plan (行动计划)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS)

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")  # = plan.account
    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="actions")
    action = models.CharField(_("action"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="action_items"
    )
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    completion = models.PositiveSmallIntegerField(_("completion, %"), default=0, validators=[MaxValueValidator(100)])
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = AccountOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["ends_on", "id"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        # "My work" and the reminder job read open actions by owner and end date.
        indexes = [
            models.Index(
                fields=["owner", "ends_on"], condition=Q(status__in=["open", "in_progress"]), name="action_open_due"
            ),
            sync_index("action_item"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="action_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.action


class ContactPlanEntry(models.Model):
    """One key contact in the account's contact plan (客户接触计划): who of ours keeps in touch,
    and how often. Contacts so far, last and next contact are computed from activities."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")  # = contact.account
    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.CASCADE, related_name="contact_plan_entries"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("our owner"), on_delete=models.PROTECT, related_name="contact_plan"
    )
    interval_days = models.PositiveSmallIntegerField(
        _("every (days)"), validators=[MinValueValidator(1), MaxValueValidator(366)]
    )
    starts_on = models.DateField(_("from"))
    # The next contact day (plans.domain.contacts.next_contact_day of the contact's
    # last_contacted_on, interval_days, starts_on), NULL when the contact has left: stored so that
    # "my work" and the reminders read a person's overdue rows as an index range. Written only by
    # the database's triggers (plans/migrations/0013), whatever the writer; never set it here.
    next_contact_on = models.DateField(pgettext_lazy("next contact", "Next"), null=True, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = AccountOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["contact__name", "id"]
        verbose_name = _("contact plan entry")
        verbose_name_plural = _("contact plan")
        constraints = [models.UniqueConstraint(fields=["contact", "owner"], name="one_entry_per_contact_owner")]
        indexes = [
            models.Index(fields=["owner", "account"], name="contact_plan_owner"),
            # a person's overdue / due-this-week rows in order (id: within a day), counted from the
            # index alone (account: for visibility)
            models.Index(fields=["owner", "next_contact_on", "id", "account"], name="contact_plan_next"),
            sync_index("contact_plan"),
        ]

    def __str__(self) -> str:
        return f"{self.contact} · {self.interval_days}d"


class Notification(models.Model):
    """A person's daily digest of one kind of reminder: how many things are due ("42 contacts
    overdue") and the first few of them, most pressing first (plans.reminders). One per person,
    kind and day: the unique constraint is the claim, the daily job inserting with ON CONFLICT
    DO NOTHING, so a second run (or a second worker at the same time) finds the row taken and
    sends nothing again. Not tied to one account: only its person ever reads it, and the items
    naming accounts are shown only while that person still sees the account
    (plans.reminders.notifications_of)."""

    class Kind(models.TextChoices):
        CONTACT_OVERDUE = "contact_overdue", _("Contact overdue")
        ACTION_OVERDUE = "action_overdue", _("Action overdue")
        PLAN_TO_APPROVE = "plan_to_approve", _("Plan awaiting your approval")
        PLAN_RETURNED = "plan_returned", _("Plan returned to you")
        PROPOSAL_TO_APPROVE = "proposal_to_approve", _("Development proposal awaiting your approval")
        PROPOSAL_RETURNED = "proposal_returned", _("Development proposal returned to you")
        VISIT_OVERDUE = "visit_overdue", _("Visit overdue")
        PLAN_UNSUBMITTED = "plan_unsubmitted", _("Plan not submitted")
        PLAN_UNREVIEWED = "plan_unreviewed", _("Plan without a recent review")

    # No index of its own: the unique constraint (user first) and notification_unread serve
    # every lookup by user.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    day = models.DateField(_("day"))
    count = models.PositiveIntegerField(default=0)  # every thing due, not only the items
    # The first few things, most pressing first, as the job found them for this person:
    # [{"account": id, "name": account name, "what": str, "day": "YYYY-MM-DD" | null, "url": path}]
    items = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-day", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [models.UniqueConstraint(fields=["user", "kind", "day"], name="one_digest_per_kind_per_day")]
        indexes = [models.Index(fields=["user"], condition=Q(read_at__isnull=True), name="notification_unread")]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.kind} · {self.day}: {self.count}"


class ReminderOptOut(models.Model):
    """A person who wants reminders in the app only, not by e-mail."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("e-mail reminder opt-out")
        verbose_name_plural = _("e-mail reminder opt-outs")

    def __str__(self) -> str:
        return str(self.user)


class RelationshipLink(models.Model):
    """How well one of our people knows one of the account's people (the zipper's cell). No row
    is "no contact"; the last interaction comes from activities, never from here."""

    class Strength(models.TextChoices):
        WEAK = "weak", _("Weak")
        WORKING = "working", _("Working")
        STRONG = "strong", _("Strong")

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")  # = contact.account
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="relationship_links")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="relationship_links")
    strength = models.CharField(_("strength"), max_length=10, choices=Strength.choices)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = AccountOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("relationship")
        verbose_name_plural = _("relationships")
        constraints = [models.UniqueConstraint(fields=["contact", "user"], name="one_link_per_pair")]
        indexes = [sync_index("relationship_link")]

    def __str__(self) -> str:
        return f"{self.user} ↔ {self.contact}: {self.strength}"


class Visit(models.Model):
    """A planned visit (拜访) to an account: generated from the follow-up interval or planned by
    hand, moved or skipped with a reason, checked in from the field (time, and the browser's
    position when the rep allows it); the visit record becomes an activity."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        DONE = "done", _("Done")
        SKIPPED = "skipped", _("Skipped")

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="visits")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("rep"), on_delete=models.PROTECT, related_name="visits"
    )
    planned_on = models.DateField(_("planned for"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    generated = models.BooleanField(_("generated"), default=False)
    reason = models.CharField(_("reason for moving or skipping"), max_length=300, blank=True)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    activity = models.OneToOneField(
        Activity, null=True, blank=True, on_delete=models.SET_NULL, related_name="visit", verbose_name=_("record")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = AccountOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["planned_on", "id"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        indexes = [
            models.Index(fields=["owner", "planned_on"], condition=Q(status="planned"), name="visit_planned"),
            sync_index("visit"),
        ]
        # One open generated visit per account: generating twice never plans two.
        constraints = [
            models.UniqueConstraint(
                fields=["account"], condition=Q(status="planned", generated=True), name="one_generated_visit"
            )
        ]

    def __str__(self) -> str:
        return f"{self.account} · {self.planned_on}"


class VisitInterval(models.Model):
    """An account's own visit interval, overriding its category's (plans.domain.visits)."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="visit_interval")
    interval_days = models.PositiveSmallIntegerField(_("visit every (days)"), validators=[MinValueValidator(1)])
    updated_at = models.DateTimeField(auto_now=True)

    objects = AccountOwnedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.account}: {self.interval_days}"


class VisitCategoryInterval(models.Model):
    """A director's visit interval for an account category; categories without a row use
    plans.domain.visits.VISIT_INTERVAL_DAYS. An account's own VisitInterval overrides both."""

    category = models.CharField(_("category"), max_length=20, unique=True)
    interval_days = models.PositiveSmallIntegerField(
        _("visit every (days)"), validators=[MinValueValidator(1), MaxValueValidator(366)]
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("visit interval per category")
        verbose_name_plural = _("visit intervals per category")

    def __str__(self) -> str:
        return f"{self.category}: {self.interval_days}"


class ThemeLibraryEntry(models.Model):
    """A sales theme anyone may reuse (the shared library): problem → feature → benefit → proof."""

    problem = models.CharField(_("problem (the customer's concern)"), max_length=300)
    feature = models.CharField(_("feature (what we do)"), max_length=300)
    benefit = models.CharField(_("benefit (what it brings them)"), max_length=300)
    proof = models.CharField(_("proof"), max_length=300, blank=True)
    industry = models.CharField(_("industry"), max_length=80, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["problem", "id"]
        verbose_name = _("library sales theme")
        verbose_name_plural = _("sales theme library")
        constraints = [
            models.UniqueConstraint(fields=["problem", "feature", "benefit", "proof"], name="library_theme_unique")
        ]

    def __str__(self) -> str:
        return self.problem


class SalesTheme(models.Model):
    """A sales theme (销售主题) used with one account."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="sales_themes")
    problem = models.CharField(_("problem (the customer's concern)"), max_length=300)
    feature = models.CharField(_("feature (what we do)"), max_length=300)
    benefit = models.CharField(_("benefit (what it brings them)"), max_length=300)
    proof = models.CharField(_("proof"), max_length=300, blank=True)
    source = models.ForeignKey(
        ThemeLibraryEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="uses",
        verbose_name=_("from the library"),
    )  # fmt: skip
    updated_at = models.DateTimeField(auto_now=True)

    objects = AccountOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("sales theme")
        verbose_name_plural = _("sales themes")
        indexes = [sync_index("sales_theme")]

    def __str__(self) -> str:
        return self.problem
