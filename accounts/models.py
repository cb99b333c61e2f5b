"""The accounts domain: users and teams, accounts and their group trees, contacts and
buying roles, the account team, and the purchase history that comes from the ERP."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import groups
from accounts.deletion_kinds import deletion_kind_choices
from accounts.names import full_name
from accounts.validation import model_errors
from accounts.visibility import AccountOwnedQuerySet, AccountQuerySet, DeletedRecordQuerySet

MONEY = {"max_digits": 16, "decimal_places": 2}


def erp_id_unique(prefix: str) -> models.UniqueConstraint:
    """The ERP's key is unique when present; NULL (no ERP id) may repeat."""
    return models.UniqueConstraint(
        fields=["external_id"], condition=Q(external_id__isnull=False), name=f"{prefix}_external_id_unique"
    )


def sync_index(prefix: str) -> models.Index:
    """(updated_at, id): the keyset every sync pages on (kam.api.pagination), one index range scan a page."""
    return models.Index(fields=["updated_at", "id"], name=f"{prefix}_sync")


class User(AbstractUser):
    class Role(models.TextChoices):
        REP = "rep", _("Sales rep")
        MANAGER = "manager", _("Manager")
        DIRECTOR = "director", _("Director")
        INTEGRATION = "integration", _("Integration (API only)")

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.REP)
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )

    def get_full_name(self) -> str:
        """The name as it is written (family name first for Chinese names: accounts/names.py)."""
        return full_name(given=self.first_name, family=self.last_name)

    def __str__(self) -> str:
        # Choices in forms and filters, the admin and exports show the person, not the login.
        return self.get_full_name() or self.username

    @property
    def is_director(self) -> bool:
        return self.role == self.Role.DIRECTOR or self.is_superuser

    @property
    def is_integration(self) -> bool:
        return self.role == self.Role.INTEGRATION


class Team(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_teams",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    class Kind(models.TextChoices):
        STATIC = "static", _("Static")
        DYNAMIC = "dynamic", _("Dynamic (computed)")

    name = models.CharField(_("name"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.STATIC)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class Account(models.Model):
    class CreditLevel(models.TextChoices):
        AAA = "AAA", "AAA"
        AA = "AA", "AA"
        A = "A", "A"
        B = "B", "B"
        C = "C", "C"

    class OperatingStatus(models.TextChoices):
        OPERATING = "operating", _("Operating")
        RESTRUCTURING = "restructuring", _("Restructuring")
        SUSPENDED = "suspended", _("Suspended")
        CLOSED = "closed", _("Closed")

    class RelationshipType(models.TextChoices):
        VENDOR = "vendor", _("Vendor")
        PREFERRED_SUPPLIER = "preferred_supplier", _("Preferred supplier")
        PARTNER = "partner", _("Partner")
        STRATEGIC_ALLIANCE = "strategic_alliance", _("Strategic alliance")

    class LifecycleStage(models.TextChoices):
        BREAKTHROUGH = "breakthrough", _("Breakthrough")
        CONSOLIDATION = "consolidation", _("Consolidation")
        GROWTH = "growth", _("Growth")
        HARVEST = "harvest", _("Harvest")
        DEFENSE = "defense", _("Defense")
        HIBERNATION = "hibernation", _("Hibernation")
        PAUSE = "pause", _("Pause")

    name = models.CharField(_("name"), max_length=200, db_index=True)
    english_name = models.CharField(_("English name"), max_length=200, blank=True)
    # The ERP's key. NULL (not "") when absent so that the partial unique constraint holds.
    external_id = models.CharField(_("ERP ID"), max_length=64, null=True, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    industry = models.CharField(_("industry"), max_length=80, blank=True, db_index=True)
    region = models.CharField(_("region"), max_length=80, blank=True, db_index=True)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    annual_revenue = models.DecimalField(
        _("annual revenue"), null=True, blank=True, validators=[MinValueValidator(0)], **MONEY
    )
    business_strategy = models.TextField(_("business strategy"), blank=True)
    main_products = models.TextField(_("main products"), blank=True)
    credit_level = models.CharField(_("credit level"), max_length=3, choices=CreditLevel.choices, blank=True)
    operating_status = models.CharField(
        _("operating status"),
        max_length=20,
        choices=OperatingStatus.choices,
        default=OperatingStatus.OPERATING,
    )
    development_bottleneck = models.TextField(_("development bottleneck"), blank=True)
    relationship_type = models.CharField(
        _("relationship type"),
        max_length=20,
        choices=RelationshipType.choices,
        default=RelationshipType.VENDOR,
    )
    lifecycle_stage = models.CharField(
        _("lifecycle stage"),
        max_length=20,
        choices=LifecycleStage.choices,
        default=LifecycleStage.BREAKTHROUGH,
    )
    # Required: an account without an owner is nobody's (its rep loses it). PROTECT: a person who
    # owns accounts is deleted only after they are handed over (accounts.permissions).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="owned_accounts",
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="accounts")
    # Written only by the nightly tiering run (tiering app); empty until the first run.
    tier = models.CharField(_("tier"), max_length=2, blank=True, db_index=True)
    category = models.CharField(_("category"), max_length=20, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [erp_id_unique("account")]
        indexes = [
            sync_index("account"),
            # Visibility (accounts/visibility.py): "owned by one of these people" read from the index
            # alone; with the category and name, so is "not visited for too long" on SQLite
            # (plans.selectors.not_visited: its window over all of a person's accounts reads no
            # account row). PostgreSQL reads it from plans/0018's index instead: (owner, category,
            # last visit, name, id) over the column `last_visit_at` that migration adds and keeps.
            models.Index(fields=["owner", "id", "category", "name"], name="account_owner_shown"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003 - Django's signature
        """Saves; a new parent is checked under the re-parenting lock (see accounts.groups),
        so two concurrent saves cannot both pass: ValidationError({"parent": ...}) if refused."""
        if self.parent_id is None or (self.pk is not None and self.parent_id == self._loaded_parent_id):
            super().save(*args, **kwargs)
            return
        with transaction.atomic():
            groups.lock_trees()
            ensure_no_cycle(self, self.parent)
            super().save(*args, **kwargs)
        self._loaded_parent_id = self.parent_id

    # The parent as loaded, so that a save that leaves it alone skips the tree check.
    _loaded_parent_id: int | None = None

    @classmethod
    def from_db(cls, db, field_names, values):  # noqa: ANN001, ANN206 - Django's signature
        instance = super().from_db(db, field_names, values)
        instance._loaded_parent_id = instance.__dict__.get("parent_id")
        return instance

    def clean(self) -> None:
        if self.external_id == "":
            self.external_id = None
        if self.parent_id is not None:
            ensure_no_cycle(self, self.parent)

    def ancestors(self) -> list[Account]:
        """From the direct parent up to the root of the group."""
        chain, node, seen = [], self.parent, {self.pk}
        while node is not None and node.pk not in seen:
            chain.append(node)
            seen.add(node.pk)
            node = node.parent
        return chain

    def root(self) -> Account:
        chain = self.ancestors()
        return chain[-1] if chain else self


def ensure_no_cycle(account: Account, parent: Account | None) -> None:
    """Refuse a parent that is the account itself or one of its descendants (at any depth), or
    under which the group would have more than settings.ACCOUNT_GROUP_MAX_DEPTH levels:
    ValidationError({"parent": [message]}). Authoritative only under `groups.lock_trees()`."""
    if parent is None:
        return
    node = account.pk if account.pk is not None else object()  # a new account has no subtree
    found = groups.violations({node: parent.pk})
    if node in found:
        raise ValidationError({"parent": groups.message(found[node])})


class AccountTeamMember(models.Model):
    """The iron triangle (铁三角): one person per role on each account."""

    class Role(models.TextChoices):
        ACCOUNT_MANAGER = "account_manager", _("Account manager")
        SOLUTION_MANAGER = "solution_manager", _("Solution manager")
        DELIVERY_MANAGER = "delivery_manager", _("Delivery manager")

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="team_members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_roles")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    objects = AccountOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("account team member")
        verbose_name_plural = _("account team members")
        constraints = [models.UniqueConstraint(fields=["account", "role"], name="one_person_per_team_role")]
        # Visibility (accounts/visibility.py): the accounts a person serves, read from the index alone.
        indexes = [models.Index(fields=["user", "account"], name="team_member_visibility")]

    def __str__(self) -> str:
        return f"{self.account} · {self.get_role_display()}: {self.user}"


class AccountAccess(models.Model):
    """Who may see which account: the visibility rule (accounts/visibility.py) materialised, one
    row per (person, account) they see as theirs — owned, served on the account team, or (for a
    manager) owned by a member of a team they lead. Directors' and integration users' rows are
    kept too but not read (they see everything).

    Written only by PostgreSQL triggers (migration 0014, `accounts/access_sql.py`) on accounts,
    account teams, people and teams, so that no writer — a service, a bulk path, a concurrent
    transaction, raw SQL — can leave it stale; the primary key (user, account) makes one
    person's visible set, and its count, one index range. Empty on SQLite, where the rule is
    computed as before."""

    pk = models.CompositePrimaryKey("user", "account")
    # No foreign-key constraints or Python cascades: the triggers delete a person's or an
    # account's rows with them.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    account = models.ForeignKey(Account, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")

    def __str__(self) -> str:
        return f"{self.user_id} → {self.account_id}"


class BuyingRole(models.TextChoices):
    # An ERP or a spreadsheet knows people, not their part in a purchase: a contact may arrive
    # before anyone has judged it (DOMAIN.md, buying roles).
    UNKNOWN = "unknown", _("Not yet known")
    DECISION_MAKER = "decision_maker", _("Decision maker")
    USER = "user", _("User")
    ADVISOR = "advisor", _("Advisor")
    GATEKEEPER = "gatekeeper", _("Gatekeeper")
    EXTERNAL_INFLUENCER = "external_influencer", _("External influencer")
    SUPPORTER = "supporter", _("Supporter")
    BLOCKER = "blocker", _("Blocker")


class Contact(models.Model):
    class Attitude(models.TextChoices):
        CHAMPION = "champion", _("Champion")
        SUPPORTIVE = "supportive", _("Supportive")
        NEUTRAL = "neutral", _("Neutral")
        SKEPTICAL = "skeptical", _("Skeptical")
        HOSTILE = "hostile", _("Hostile")

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="contacts")
    external_id = models.CharField(_("ERP ID"), max_length=64, null=True, blank=True)
    name = models.CharField(_("name"), max_length=120)
    title = models.CharField(_("title"), max_length=120, blank=True)
    department = models.CharField(_("department"), max_length=120, blank=True)
    buying_role = models.CharField(
        _("buying role"), max_length=20, choices=BuyingRole.choices, default=BuyingRole.UNKNOWN
    )
    attitude = models.CharField(_("attitude"), max_length=20, choices=Attitude.choices, default=Attitude.NEUTRAL)
    reports_to = models.ForeignKey(
        "self",
        verbose_name=_("reports to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    last_contacted_on = models.DateField(_("last contacted"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AccountOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["account", "name", "id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [erp_id_unique("contact")]
        # The nightly tiering run asks which accounts' decision makers were contacted lately.
        indexes = [
            sync_index("contact"),
            models.Index(
                fields=["account", "last_contacted_on"],
                condition=models.Q(buying_role="decision_maker", is_active=True),
                name="contact_decision_makers",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.external_id == "":
            self.external_id = None
        if self.reports_to_id is not None and self.reports_to_id == self.pk:
            raise ValidationError({"reports_to": _("A contact cannot report to themselves.")})
        # The org chart is drawn per account: a boss elsewhere would link two customers' charts.
        if self.reports_to_id is not None and self.account_id is not None:
            boss_account = Contact.objects.filter(pk=self.reports_to_id).values_list("account_id", flat=True).first()
            if boss_account != self.account_id:
                raise ValidationError({"reports_to": _("Must be a contact of the same account.")})


class ContactRoleHistory(models.Model):
    """A role a contact held before they moved (people change jobs; keep what they were)."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="role_history")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=120, blank=True)
    department = models.CharField(_("department"), max_length=120, blank=True)
    buying_role = models.CharField(_("buying role"), max_length=20, choices=BuyingRole.choices)
    ended_at = models.DateTimeField(_("ended"), default=timezone.now)

    objects = AccountOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-ended_at", "-id"]
        verbose_name = _("past contact role")
        verbose_name_plural = _("past contact roles")

    def __str__(self) -> str:
        return f"{self.contact} · {self.title} ({self.get_buying_role_display()})"


class Order(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        FULFILLED = "fulfilled", _("Fulfilled")
        CANCELLED = "cancelled", _("Cancelled")

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="orders")
    external_id = models.CharField(_("ERP ID"), max_length=64, null=True, blank=True)
    ordered_at = models.DateField(_("order date"))
    amount = models.DecimalField(_("amount"), **MONEY)
    # NULL = unknown (an ERP that exports no margins), never taken for 0.
    margin = models.DecimalField(_("margin"), null=True, blank=True, **MONEY)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.FULFILLED)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AccountOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-ordered_at", "-id"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        indexes = [models.Index(fields=["account", "ordered_at"], name="order_account_date"), sync_index("order")]
        constraints = [erp_id_unique("order")]

    def __str__(self) -> str:
        return self.external_id or f"#{self.pk}"

    def clean(self) -> None:
        if errors := model_errors(self):  # dates in range, margin <= amount, due >= issued
            raise ValidationError(errors)


class OrderMonth(models.Model):
    """Per account and calendar month, the totals of its orders that are not cancelled.

    Kept exact by database triggers on the orders table (see `accounts.order_months`), so every
    write path (ORM, bulk upsert, COPY, admin, cascades) updates it in the same transaction.
    The nightly tiering run reads months from here instead of scanning millions of orders.
    """

    # No FK check: triggers write these rows in bulk (millions on a COPY); Django's cascade removes them.
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    month = models.DateField()  # the first day of the month
    orders = models.IntegerField()  # purchases: positive amounts only
    entries = models.IntegerField(default=0)  # every order kept, credit notes and samples too
    # Whole cents in doubles: exact up to 2**53 cents, and summed fast (see accounts.order_months).
    amount_cents = models.FloatField()  # net: credit notes subtract
    margin_cents = models.FloatField()  # of the orders whose margin is known
    margin_unknown = models.IntegerField(default=0)  # orders without a margin
    max_amount_cents = models.FloatField(null=True)  # largest purchase; NULL when none
    last_ordered_at = models.DateField(null=True)  # latest purchase; NULL when none

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "month"], name="order_month_unique")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.month:%Y-%m}: {self.orders}"


class Invoice(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="invoices")
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="invoices")
    external_id = models.CharField(_("ERP ID"), max_length=64, null=True, blank=True)
    issued_on = models.DateField(_("issued"))
    due_on = models.DateField(_("due"))
    amount = models.DecimalField(_("amount"), **MONEY)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AccountOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        constraints = [erp_id_unique("invoice")]
        indexes = [sync_index("invoice")]

    def __str__(self) -> str:
        return self.external_id or f"#{self.pk}"

    def clean(self) -> None:
        if errors := model_errors(self):  # dates in range, margin <= amount, due >= issued
            raise ValidationError(errors)


class Payment(models.Model):
    """A receivable: what is due when, and when it was paid (empty while unpaid)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="payments")
    invoice = models.ForeignKey(Invoice, null=True, blank=True, on_delete=models.SET_NULL, related_name="payments")
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="payments")
    external_id = models.CharField(_("ERP ID"), max_length=64, null=True, blank=True)
    amount = models.DecimalField(_("amount"), **MONEY)
    due_on = models.DateField(_("due"))
    paid_on = models.DateField(_("paid"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AccountOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-due_on", "-id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        indexes = [
            sync_index("payment"),
            models.Index(fields=["account", "due_on"], name="payment_account_due"),
            # Open receivables are few; the nightly credit check reads only them.
            models.Index(fields=["account", "due_on"], condition=Q(paid_on__isnull=True), name="payment_open_due"),
        ]
        constraints = [erp_id_unique("payment")]

    def __str__(self) -> str:
        return self.external_id or f"#{self.pk}"

    def clean(self) -> None:
        if errors := model_errors(self):  # dates in range, margin <= amount, due >= issued
            raise ValidationError(errors)

    def overdue_days(self, today: date | None = None) -> int:
        """Days paid late, or days overdue so far while unpaid; 0 when on time."""
        end = self.paid_on or today or timezone.localdate()
        return max(0, (end - self.due_on).days)


class Feedback(models.Model):
    class Kind(models.TextChoices):
        COMPLAINT = "complaint", _("Complaint")
        FEEDBACK = "feedback", _("Feedback")
        PRAISE = "praise", _("Praise")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="feedback")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.COMPLAINT)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("details"), blank=True)
    received_on = models.DateField(_("received"), default=timezone.localdate)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    resolved_on = models.DateField(_("resolved"), null=True, blank=True)

    objects = AccountOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("complaint or feedback")
        verbose_name_plural = _("complaints and feedback")

    def __str__(self) -> str:
        return self.subject


class ApiToken(models.Model):
    """An API key. Only its SHA-256 is stored: the secret is shown once, when it is made."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("prefix"), max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("scopes"), default=list, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class DeletedRecord(models.Model):
    """A tombstone: a record an ERP may hold was deleted (`GET /api/v1/deletions/`).

    Written by the delete services in the transaction that deletes (accounts.services
    `deleted_records_write`), one per deleted row of a registered kind, cascades included: the
    account's own (below) and those other apps register (accounts.deletion_kinds). Who sees it:
    `DeletedRecordQuerySet.visible_to`."""

    class Kind(models.TextChoices):  # this app's kinds; AccountsConfig.ready() registers them
        ACCOUNT = "account", _("Account")
        CONTACT = "contact", _("Contact")
        TEAM_MEMBER = "team_member", _("Account team member")
        ORDER = "order", _("Order")
        INVOICE = "invoice", _("Invoice")
        PAYMENT = "payment", _("Payment")

    # Choices from the registry (a callable: a new kind needs no migration of this app).
    kind = models.CharField(_("kind"), max_length=20, choices=deletion_kind_choices)
    object_id = models.BigIntegerField(_("id"))  # the deleted row's id in its collection
    external_id = models.CharField(_("ERP ID"), max_length=64, null=True, blank=True)
    # The account the record belonged to (itself for an account); no FK: it may be gone too.
    account_id = models.BigIntegerField(_("account id"))
    # Its owner when the record was deleted: who may still see a tombstone whose account is gone.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deleted_at = models.DateTimeField(_("deleted"), default=timezone.now)

    objects = DeletedRecordQuerySet.as_manager()

    class Meta:
        ordering = ["deleted_at", "id"]
        verbose_name = _("deleted record")
        verbose_name_plural = _("deleted records")
        indexes = [
            models.Index(fields=["deleted_at", "id"], name="deleted_record_sync"),
            models.Index(fields=["account_id"], name="deleted_record_account"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.object_id}"
