"""Writes to the funnel. Views, serializers, the bulk hook, commands and tasks call these.

The probability and forecast category that count are derived here, never typed in: lost → 0
probability; else the rep's override (kept across stage changes until cleared), else the stage
default (a director's, funnel.selectors.stage_defaults). The category is the rep's choice when
made, else the stage default (funnel/domain/stages.py). Every stage change is recorded and
announced (`opportunity.stage_changed`) after commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, CharField, DateField, F, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from funnel import events
from funnel.domain import stages
from funnel.domain.quarters import parse_quarter, week_start
from funnel.models import Commitment, ForecastSnapshot, Opportunity, SnapshotLine, StageChange, StageDefault
from funnel.selectors import people_visible_to, stage_defaults

# What a page, the API or a form may set; the derived columns are not among them.
EDITABLE = frozenset(
    {
        "account",
        "external_id",
        "name",
        "product_line",
        "amount",
        "expected_close_date",
        "owner",
        "stage",
        "probability_override",
        "category_override",
        "next_step",
        "next_step_date",
        "lost_reason",
        "closed_at",
    }
)


def _derive(opportunity: Opportunity, defaults: Mapping[str, int]) -> None:
    opportunity.probability = stages.effective_probability(
        stage=opportunity.stage, override=opportunity.probability_override, defaults=defaults
    )
    opportunity.forecast_category = stages.effective_category(
        stage=opportunity.stage, override=opportunity.category_override
    )


def _close_date(opportunity: Opportunity, *, moved: bool, today: date) -> None:
    """Closing (won or lost) dates it today unless a date was given; reopening clears it."""
    if stages.is_open(opportunity.stage):
        if moved:
            opportunity.closed_at = None
    elif opportunity.closed_at is None:
        opportunity.closed_at = today


def _refuse_unknown(data: Mapping) -> None:
    unknown = sorted(set(data) - EDITABLE)
    if unknown:
        raise ValidationError({name: [_("This field is set by the system.")] for name in unknown})


@transaction.atomic
def opportunity_create(*, user: User, data: dict, at: datetime | None = None) -> Opportunity:
    """A new opportunity from field values (`account`, `owner` as instances); the owner defaults
    to `user` when a person creates it. Records its first stage (from "") and announces it.

    ValidationError names the field at fault (unknown or derived fields, bad values).
    """
    _refuse_unknown(data)
    at = at or timezone.now()
    opportunity = Opportunity(**data)
    if opportunity.owner_id is None and user.role != User.Role.INTEGRATION:
        opportunity.owner = user
    _close_date(opportunity, moved=True, today=timezone.localdate(at))
    _derive(opportunity, stage_defaults())
    opportunity.stage_changed_at = at
    opportunity.full_clean(validate_constraints=False)
    opportunity.save()
    change = StageChange.objects.create(
        opportunity=opportunity,
        account_id=opportunity.account_id,
        from_stage="",
        to_stage=opportunity.stage,
        changed_at=at,
        changed_by=user,
    )
    events.stage_changed_emit(change_ids=[change.pk])
    return opportunity


@transaction.atomic
def opportunity_update(*, user: User, opportunity: Opportunity, data: dict, at: datetime | None = None) -> Opportunity:
    """Change an opportunity (under a row lock); a new stage is recorded and announced.

    `probability_override=None` clears the rep's figure (the stage default applies again);
    `category_override=None` likewise. ValidationError names the field at fault.
    """
    _refuse_unknown(data)
    at = at or timezone.now()
    before = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    for field, value in data.items():
        setattr(opportunity, field, value)
    moved = opportunity.stage != before.stage
    if moved:
        opportunity.stage_changed_at = at
    _close_date(opportunity, moved=moved, today=timezone.localdate(at))
    _derive(opportunity, stage_defaults())
    opportunity.full_clean(validate_constraints=False)
    opportunity.save()
    if moved:
        change = StageChange.objects.create(
            opportunity=opportunity,
            account_id=opportunity.account_id,
            from_stage=before.stage,
            to_stage=opportunity.stage,
            changed_at=at,
            changed_by=user,
        )
        events.stage_changed_emit(change_ids=[change.pk])
    return opportunity


def _stage_expression(mapping: Mapping[str, object], output: type) -> Case:
    return Case(*(When(stage=stage, then=Value(value)) for stage, value in mapping.items()), output_field=output())


def _derive_in_bulk(queryset) -> int:  # noqa: ANN001 - a queryset of Opportunity
    """The derived columns of many rows in one UPDATE (the same rules as `_derive`)."""
    defaults = {**stages.DEFAULT_PROBABILITY, **stage_defaults()}
    return queryset.update(
        probability=Case(
            When(stage=stages.LOST, then=Value(0)),
            When(probability_override__isnull=False, then=F("probability_override")),
            default=_stage_expression(defaults, IntegerField),
            output_field=IntegerField(),
        ),
        forecast_category=Coalesce(F("category_override"), _stage_expression(stages.DEFAULT_CATEGORY, CharField)),
    )


def opportunities_bulk_written(user: User, ids: list[int]) -> None:
    """The bulk upsert's hook (integrations.bulk; inside its transaction): derive probability and
    category, date a closing without `closed_at`, and record every stage that differs from the
    last one recorded (from the last recorded stage, at the record's `stage_changed_at` when it
    is later than that change, else now), then announce those changes after commit.

    A fixed number of queries whatever the batch size."""
    if not ids:
        return
    now = timezone.now()
    written = Opportunity.objects.filter(pk__in=ids)
    _derive_in_bulk(written)
    last = StageChange.objects.filter(opportunity=OuterRef("pk")).order_by("-changed_at", "-id")
    rows = written.annotate(
        last_stage=Subquery(last.values("to_stage")[:1]), last_at=Subquery(last.values("changed_at")[:1])
    ).values_list("pk", "account_id", "stage", "stage_changed_at", "closed_at", "last_stage", "last_at")
    changes, restamp, close = [], [], []
    for pk, account_id, stage, stamped, closed_at, last_stage, last_at in rows:
        if stage == last_stage:
            continue
        at = stamped if stamped is not None and (last_at is None or stamped > last_at) else now
        if at is not stamped:
            restamp.append(pk)
        if closed_at is None and not stages.is_open(stage):
            close.append((pk, timezone.localdate(at)))
        elif closed_at is not None and stages.is_open(stage):
            close.append((pk, None))  # reopened: an open deal has no close date
        changes.append(
            StageChange(
                opportunity_id=pk,
                account_id=account_id,
                from_stage=last_stage or "",
                to_stage=stage,
                changed_at=at,
                changed_by=user,
            )
        )
    if restamp:
        Opportunity.objects.filter(pk__in=restamp).update(stage_changed_at=now)
    dated = [(pk, day) for pk, day in close if day is not None]
    if dated:
        Opportunity.objects.filter(pk__in=[pk for pk, _day in dated]).update(
            closed_at=Case(*(When(pk=pk, then=Value(day)) for pk, day in dated), output_field=DateField())
        )
    reopened = [pk for pk, day in close if day is None]
    if reopened:
        Opportunity.objects.filter(pk__in=reopened).update(closed_at=None)
    created = StageChange.objects.bulk_create(changes)
    events.stage_changed_emit(change_ids=[change.pk for change in created])


@transaction.atomic
def stage_defaults_set(*, user: User, probabilities: Mapping[str, int]) -> int:
    """A director sets default probabilities (%) per open stage; opportunities in those stages
    without a rep's override follow at once. Returns how many opportunities changed.

    PermissionDenied for anyone but a director; ValidationError for a closed stage (won is 100,
    lost 0, always) or a value outside 0-100.
    """
    if not user.is_director:
        raise PermissionDenied(_("Only directors may change the stage defaults."))
    errors = {}
    for stage, value in probabilities.items():
        if stage not in stages.OPEN_STAGES:
            errors[stage] = [_("Only open stages have a configurable default.")]
        elif not isinstance(value, int) or not 0 <= value <= 100:
            errors[stage] = [_("Give a whole percentage from 0 to 100.")]
    if errors:
        raise ValidationError(errors)
    for stage, value in probabilities.items():
        StageDefault.objects.update_or_create(stage=stage, defaults={"probability": value})
    following = Opportunity.objects.filter(stage__in=list(probabilities), probability_override__isnull=True)
    return _derive_in_bulk(following)


def snapshot_take(*, as_of: date) -> tuple[ForecastSnapshot, bool]:
    """Record every open opportunity (amount, probability, category, stage, expected close date)
    under the week containing `as_of`. One snapshot per week: if the week has one, nothing
    changes and (that snapshot, False) is returned; else (the new one, True).

    The week's unique row decides, so two concurrent runs cannot both write the week.
    """
    week = week_start(as_of)
    existing = ForecastSnapshot.objects.filter(week=week).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            snapshot = ForecastSnapshot.objects.create(week=week, as_of=as_of)
            lines = _snapshot_lines(snapshot)
            snapshot.lines_count = lines
            snapshot.save(update_fields=["lines_count"])
    except IntegrityError:  # another run took this week first
        return ForecastSnapshot.objects.get(week=week), False
    return snapshot, True


def _snapshot_lines(snapshot: ForecastSnapshot) -> int:
    """INSERT … SELECT of the open opportunities: one statement, no rows through Python."""
    from django.db import connection

    qn = connection.ops.quote_name
    line, opp = SnapshotLine._meta, Opportunity._meta
    columns = [
        "snapshot_id",
        "opportunity_id",
        "account_id",
        "owner_id",
        "amount",
        "probability",
        "forecast_category",
        "stage",
        "expected_close_date",
        "updated_at",
    ]
    open_stages = list(stages.OPEN_STAGES)
    marks = ", ".join(["%s"] * len(open_stages))
    sql = (
        f"INSERT INTO {qn(line.db_table)} ({', '.join(qn(c) for c in columns)}) "  # noqa: S608 - identifiers only
        f"SELECT %s, id, account_id, owner_id, amount, probability, forecast_category, stage, "
        f"expected_close_date, %s FROM {qn(opp.db_table)} WHERE stage IN ({marks})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [snapshot.pk, timezone.now(), *open_stages])
        return cursor.rowcount


@transaction.atomic
def commitment_submit(*, user: User, quarter: str, amount: Decimal) -> Commitment:
    """A rep's commit figure for `quarter` (`2026-Q3`), created or replaced; the manager's
    adjustment, if any, stays beside it. ValidationError for a malformed quarter or a
    negative amount."""
    try:
        label = parse_quarter(quarter).label
    except ValueError:
        raise ValidationError({"quarter": [_("Write the quarter like 2026-Q3.")]}) from None
    if amount < 0:
        raise ValidationError({"amount": [_("Must not be negative.")]})
    commitment, _created = Commitment.objects.update_or_create(owner=user, quarter=label, defaults={"amount": amount})
    return commitment


@transaction.atomic
def commitment_adjust(*, user: User, commitment: Commitment, amount: Decimal | None) -> Commitment:
    """A manager's (or director's) adjusted figure beside the rep's (None removes it); the rep's
    own figure is never changed. PermissionDenied unless `user` leads the rep's team or is a
    director (a manager adjusting their own commitment is refused)."""
    may = user.is_director or (
        user.role == User.Role.MANAGER
        and commitment.owner_id != user.pk
        and people_visible_to(user).filter(pk=commitment.owner_id).exists()
    )
    if not may:
        raise PermissionDenied(_("Only the rep's manager or a director may adjust a commitment."))
    if amount is not None and amount < 0:
        raise ValidationError({"manager_amount": [_("Must not be negative.")]})
    commitment.manager_amount = amount
    commitment.adjusted_by = user if amount is not None else None
    commitment.save(update_fields=["manager_amount", "adjusted_by", "updated_at"])
    return commitment
