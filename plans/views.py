"""Pages of the plans app. Thin: each finds the visible object (404 otherwise), validates a
form and calls one service."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Account, Contact, User
from integrations.spreadsheets.exporting import csv_response
from kam.pages import page_view, visible_or_404
from plans import selectors, services
from plans.domain.time_allocation import CATEGORIES, default_period
from plans.domain.zipper import STRENGTHS
from plans.forms import (
    ActionForm,
    ActivityForm,
    CheckInForm,
    ContactForm,
    ContactMoveForm,
    ContactPlanForm,
    PlanForm,
    ProposalForm,
    ReturnForm,
    ReviewCommentForm,
    ReviewForm,
    ThemeForm,
    VisitChangeForm,
    VisitIntervalForm,
    VisitIntervalsForm,
)
from plans.models import (
    AccountPlan,
    ActionItem,
    Activity,
    ContactPlanEntry,
    DevelopmentProposal,
    PlanReview,
    ReminderOptOut,
    Visit,
)
from plans.reminders import REMINDER_LIST_PAGE, digest_summary, due_things, notifications_of
from tiering.explanations import category_label
from tiering.selectors import strategy_for


def _category_labels() -> dict[str, str]:
    """The account categories in the active language (tiering's words); "unscored": no tiering
    run has placed the account yet."""
    return {category: category_label(category) or _("Unscored") for category in CATEGORIES}


def _refused(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields it names, the rest on top."""
    for field, reasons in getattr(error, "message_dict", {"__all__": error.messages}).items():
        form.add_error(field if field in form.fields else None, reasons)


def _account(request: HttpRequest, account_pk: int) -> Account:
    return visible_or_404(Account, user=request.user, pk=account_pk)


def _back(account: Account, anchor: str) -> HttpResponse:
    response = redirect("accounts:detail", pk=account.pk)
    response["Location"] += f"#{anchor}"
    return response


@page_view
def contact_add(request: HttpRequest, account_pk: int) -> HttpResponse:
    account = _account(request, account_pk)
    form = ContactForm(request.POST or None, account=account)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_add(account=account, data=form.cleaned_data)
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("Contact added."))
            return _back(account, "contacts")
    return render(request, "plans/contact_form.html", {"form": form, "account": account, "title": _("New contact")})


@page_view
def contact_edit(request: HttpRequest, account_pk: int, pk: int) -> HttpResponse:
    account = _account(request, account_pk)
    contact = visible_or_404(Contact.objects.filter(account=account), user=request.user, pk=pk)
    form = ContactForm(request.POST or None, instance=contact, account=account)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_edit(contact=contact, data=form.cleaned_data)
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("Contact saved."))
            return _back(account, "contacts")
    context = {"form": form, "account": account, "contact": contact, "title": _("Edit contact")}
    return render(request, "plans/contact_form.html", context)


@page_view
def contact_move(request: HttpRequest, account_pk: int, pk: int) -> HttpResponse:
    account = _account(request, account_pk)
    contact = visible_or_404(Contact.objects.filter(account=account), user=request.user, pk=pk)
    form = ContactMoveForm(request.POST or None, user=request.user, contact=contact)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_move(contact=contact, **form.cleaned_data)
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("Job change recorded; the past role is kept."))
            return _back(form.cleaned_data["account"], "contacts")
    context = {"form": form, "account": account, "contact": contact, "title": _("Moved to another job")}
    return render(request, "plans/contact_form.html", context)


@page_view
@require_POST
def contact_left(request: HttpRequest, account_pk: int, pk: int) -> HttpResponse:
    account = _account(request, account_pk)
    contact = visible_or_404(Contact.objects.filter(account=account), user=request.user, pk=pk)
    services.contact_mark_left(contact=contact)
    messages.success(request, _("%(name)s is marked as having left.") % {"name": contact.name})
    return _back(account, "contacts")


@page_view
def activity_add(request: HttpRequest, account_pk: int) -> HttpResponse:
    account = _account(request, account_pk)
    initial = {"participants": [request.user.pk]}
    form = ActivityForm(request.POST or None, account=account, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("contacts", "participants")}
        try:
            services.activity_create(
                account=account,
                data=data,
                contacts=form.cleaned_data["contacts"],
                participants=form.cleaned_data["participants"],
                created_by=request.user,
            )
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("Activity logged."))
            return _back(account, "timeline")
    context = {"form": form, "account": account, "title": _("Log an activity")}
    return render(request, "plans/activity_form.html", context)


@page_view
def activity_edit(request: HttpRequest, account_pk: int, pk: int) -> HttpResponse:
    account = _account(request, account_pk)
    activity = visible_or_404(Activity.objects.filter(account=account), user=request.user, pk=pk)
    form = ActivityForm(request.POST or None, instance=activity, account=account)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("contacts", "participants")}
        try:
            services.activity_update(
                activity=activity,
                data=data,
                contacts=form.cleaned_data["contacts"],
                participants=form.cleaned_data["participants"],
            )
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("Activity saved."))
            return _back(account, "timeline")
    context = {"form": form, "account": account, "activity": activity, "title": _("Edit activity")}
    return render(request, "plans/activity_form.html", context)


@page_view
@require_POST
def activity_delete(request: HttpRequest, account_pk: int, pk: int) -> HttpResponse:
    account = _account(request, account_pk)
    activity = visible_or_404(Activity.objects.filter(account=account), user=request.user, pk=pk)
    services.activity_delete(activity=activity)
    messages.success(request, _("Activity deleted."))
    return _back(account, "timeline")


# --- account plans ----------------------------------------------------------------------------

PLAN_QUERYSET = AccountPlan.objects.select_related("account", "owner__team", "decided_by")


def _plan(request: HttpRequest, pk: int) -> AccountPlan:
    return visible_or_404(PLAN_QUERYSET, user=request.user, pk=pk)


@page_view
def plan_add(request: HttpRequest, account_pk: int) -> HttpResponse:
    account = _account(request, account_pk)
    form = PlanForm(request.POST or None, initial={"lifecycle_stage": account.lifecycle_stage})
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(account=account, data=form.cleaned_data, owner=request.user)
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("Plan created as a draft."))
            return redirect("plans:detail", pk=plan.pk)
    return render(request, "plans/plan_form.html", {"form": form, "account": account, "title": _("New account plan")})


@page_view
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    context = {
        "page": selectors.plan_page(plan=plan, user=request.user),
        "account": plan.account,
        "return_form": ReturnForm(),
        "review_form": ReviewForm(initial={"month": timezone.localdate()}),
        "comment_form": ReviewCommentForm(),
    }
    return render(request, "plans/plan_detail.html", context)


@page_view
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    form = PlanForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_update(plan=plan, data=form.cleaned_data)
        except ValidationError as error:
            _refused(form, error)
        except services.PlanNotEditable as refusal:
            messages.error(request, refusal.message)
            return redirect("plans:detail", pk=plan.pk)
        else:
            messages.success(request, _("Plan saved."))
            return redirect("plans:detail", pk=plan.pk)
    context = {"form": form, "account": plan.account, "plan": plan, "title": _("Edit account plan")}
    return render(request, "plans/plan_form.html", context)


@page_view
@require_POST
def plan_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """submit, approve or return (with a comment)."""
    plan = _plan(request, pk)
    try:
        if step == "submit":
            services.plan_submit(plan=plan, user=request.user)
            messages.success(request, _("Plan submitted for approval."))
        elif step == "approve":
            tier = plan.account.tier
            services.plan_approve(plan=plan, user=request.user, tier=tier, strategy=strategy_for(tier))
            messages.success(request, _("Plan approved."))
        else:
            form = ReturnForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Say what should change."))
                return redirect("plans:detail", pk=plan.pk)
            services.plan_return(plan=plan, user=request.user, comment=form.cleaned_data["comment"])
            messages.success(request, _("Plan returned with your comment."))
    except services.PlanStepRefused as refusal:
        messages.error(request, refusal.message)
    return redirect("plans:detail", pk=plan.pk)


@page_view
def action_add(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    today = timezone.localdate()
    form = ActionForm(request.POST or None, initial={"owner": request.user.pk, "starts_on": today, "ends_on": today})
    if request.method == "POST" and form.is_valid():
        try:
            services.action_create(plan=plan, data=form.cleaned_data)
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("Action added."))
            return redirect("plans:detail", pk=plan.pk)
    context = {"form": form, "account": plan.account, "plan": plan, "title": _("New action")}
    return render(request, "plans/plan_form.html", context)


@page_view
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = visible_or_404(ActionItem.objects.select_related("plan__account"), user=request.user, pk=pk)
    form = ActionForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_update(item=item, data=form.cleaned_data)
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("Action saved."))
            return redirect("plans:detail", pk=item.plan_id)
    context = {"form": form, "account": item.plan.account, "plan": item.plan, "title": _("Edit action")}
    return render(request, "plans/plan_form.html", context)


@page_view
@require_POST
def review_add(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        services.review_save(plan=plan, author=request.user, **form.cleaned_data)
        messages.success(request, _("Review saved."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("plans:detail", pk=plan.pk)


@page_view
@require_POST
def review_comment(request: HttpRequest, pk: int) -> HttpResponse:
    review = visible_or_404(PlanReview.objects.select_related("plan__owner__team"), user=request.user, pk=pk)
    form = ReviewCommentForm(request.POST)
    if form.is_valid():
        services.review_comment(review=review, user=request.user, comment=form.cleaned_data["comment"])
        messages.success(request, _("Comment saved."))
    return redirect("plans:detail", pk=review.plan_id)


# --- contact plan -----------------------------------------------------------------------------


@page_view
def contact_plan_add(request: HttpRequest, account_pk: int) -> HttpResponse:
    account = _account(request, account_pk)
    initial = {"owner": request.user.pk, "interval_days": 30, "starts_on": timezone.localdate()}
    form = ContactPlanForm(request.POST or None, account=account, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_plan_add(**form.cleaned_data)
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("Contact added to the contact plan."))
            return _back(account, "contact-plan")
    context = {"form": form, "account": account, "title": _("Contact plan: add a contact")}
    return render(request, "plans/contact_form.html", context)


@page_view
def contact_plan_edit(request: HttpRequest, account_pk: int, pk: int) -> HttpResponse:
    account = _account(request, account_pk)
    entry = visible_or_404(ContactPlanEntry.objects.filter(account=account), user=request.user, pk=pk)
    form = ContactPlanForm(request.POST or None, instance=entry, account=account)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_plan_update(entry=entry, data=form.cleaned_data)
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("Contact plan saved."))
            return _back(account, "contact-plan")
    context = {"form": form, "account": account, "title": _("Contact plan: edit")}
    return render(request, "plans/contact_form.html", context)


@page_view
@require_POST
def contact_plan_remove(request: HttpRequest, account_pk: int, pk: int) -> HttpResponse:
    account = _account(request, account_pk)
    entry = visible_or_404(ContactPlanEntry.objects.filter(account=account), user=request.user, pk=pk)
    services.contact_plan_remove(entry=entry)
    messages.success(request, _("Removed from the contact plan."))
    return _back(account, "contact-plan")


# --- key-account development proposals ----------------------------------------------------------

PROPOSAL_QUERYSET = DevelopmentProposal.objects.select_related("account", "owner__team", "decided_by")


def _proposal(request: HttpRequest, pk: int) -> DevelopmentProposal:
    return visible_or_404(PROPOSAL_QUERYSET, user=request.user, pk=pk)


@page_view
def proposal_add(request: HttpRequest, account_pk: int) -> HttpResponse:
    account = _account(request, account_pk)
    eligible = selectors.proposal_eligibility(account=account)
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = services.proposal_create(
                account=account, data=form.cleaned_data, owner=request.user, eligible=eligible
            )
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("Proposal created as a draft."))
            return redirect("plans:proposal_detail", pk=proposal.pk)
    context = {"form": form, "account": account, "eligible": eligible, "title": _("New development proposal")}
    return render(request, "plans/proposal_form.html", context)


@page_view
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal(request, pk)
    context = {
        "page": selectors.proposal_page(proposal=proposal, user=request.user),
        "account": proposal.account,
        "return_form": ReturnForm(),
    }
    return render(request, "plans/proposal_detail.html", context)


@page_view
def proposal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal(request, pk)
    form = ProposalForm(request.POST or None, instance=proposal)
    if request.method == "POST" and form.is_valid():
        try:
            services.proposal_update(proposal=proposal, data=form.cleaned_data)
        except ValidationError as error:
            _refused(form, error)
        except services.ProposalNotEditable as refusal:
            messages.error(request, refusal.message)
            return redirect("plans:proposal_detail", pk=proposal.pk)
        else:
            messages.success(request, _("Proposal saved."))
            return redirect("plans:proposal_detail", pk=proposal.pk)
    context = {
        "form": form,
        "account": proposal.account,
        "proposal": proposal,
        "eligible": True,
        "title": _("Edit development proposal"),
    }
    return render(request, "plans/proposal_form.html", context)


@page_view
@require_POST
def proposal_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """submit, approve or return (with a comment); the account plan's workflow and approvers."""
    proposal = _proposal(request, pk)
    try:
        if step == "submit":
            services.proposal_submit(proposal=proposal, user=request.user)
            messages.success(request, _("Proposal submitted for approval."))
        elif step == "approve":
            services.proposal_approve(proposal=proposal, user=request.user)
            messages.success(request, _("Proposal approved."))
        else:
            form = ReturnForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Say what should change."))
                return redirect("plans:proposal_detail", pk=proposal.pk)
            services.proposal_return(proposal=proposal, user=request.user, comment=form.cleaned_data["comment"])
            messages.success(request, _("Proposal returned with your comment."))
    except services.ProposalStepRefused as refusal:
        messages.error(request, refusal.message)
    return redirect("plans:proposal_detail", pk=proposal.pk)


# --- time allocation ----------------------------------------------------------------------------


def _time_allocation(request: HttpRequest) -> selectors.TimeAllocation:
    """The report the page and its CSV show: ?period= (default: this quarter), ?owner= or ?team=
    (Http404 for a rep or team the user may not see)."""
    scope = selectors.allocation_scope(user=request.user, owner=request.GET.get("owner"), team=request.GET.get("team"))
    default = default_period(timezone.localdate())
    period = request.GET.get("period") or default
    try:
        return selectors.time_allocation(user=request.user, period=period, scope=scope)
    except ValueError:
        messages.error(request, _("A period is a year (2026), a quarter (2026-Q2) or a month (2026-03)."))
        return selectors.time_allocation(user=request.user, period=default, scope=scope)


@page_view
def time_allocation(request: HttpRequest) -> HttpResponse:
    report = _time_allocation(request)
    labels = _category_labels()
    chart = {
        "categories": [labels[row.category] for row in report.total.categories],
        "actual": [float(row.share) if row.share is not None else 0 for row in report.total.categories],
        "guideline": [row.guideline for row in report.total.categories],
        "names": {"actual": _("Actual share of time, %"), "guideline": _("Guideline, %")},
    }
    context = {
        "report": report,
        "chart": chart,
        "labels": labels,
        "people": selectors.reps_visible_to(user=request.user),
        "teams": selectors.allocation_teams(user=request.user),
        "owner": request.GET.get("owner", ""),
        "team": request.GET.get("team", ""),
        "query": request.GET.urlencode(),
    }
    return render(request, "plans/time_allocation.html", context)


@page_view
def time_allocation_csv(request: HttpRequest) -> HttpResponse:
    """The page's table as CSV: one line per rep, team or total and category."""
    report = _time_allocation(request)
    lines = [("total", report.total, "")]
    lines += [("team", row, "") for row in report.per_team]
    lines += [("rep", row, row.key.team.name if row.key.team else "") for row in report.per_rep]
    header = [
        "level",
        "name",
        "team",
        "category",
        "minutes",
        "share_percent",
        "guideline_percent",
        "gap_points",
        "verdict",
    ]
    rows = [
        [level, row.label, team, share.category, share.minutes, share.share, share.guideline, share.gap, share.verdict]
        for level, row, team in lines
        for share in row.categories
    ]
    return csv_response(iter([header, *rows]), filename=f"time-allocation-{report.period}.csv")


# --- my work and notifications ----------------------------------------------------------------


@page_view
def home(request: HttpRequest) -> HttpResponse:
    """Where "/" and a login land: a rep's own work, everyone else's accounts."""
    return redirect("plans:my_work" if request.user.role == "rep" else "accounts:list")


@page_view
def my_work(request: HttpRequest) -> HttpResponse:
    context = {
        "work": selectors.my_work(user=request.user),
        "today": timezone.localdate(),
        "not_visited": selectors.not_visited(user=request.user),
    }
    return render(request, "plans/my_work.html", context)


@page_view
def notifications(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":  # mark all read
        services.notifications_read(user=request.user)
        return redirect("plans:notifications")
    items = notifications_of(user=request.user)
    email_wanted = not ReminderOptOut.objects.filter(user=request.user).exists()
    return render(request, "plans/notifications.html", {"items": items, "email_wanted": email_wanted})


@page_view
def reminder_list(request: HttpRequest, kind: str) -> HttpResponse:
    """Every thing of one kind of reminder due for the person signed in today, in pages: where a
    digest's headline leads (it lists the first few)."""
    try:
        things = due_things(kind=kind, user=request.user, today=timezone.localdate())
    except KeyError:
        raise Http404 from None
    page = Paginator(things, REMINDER_LIST_PAGE).get_page(request.GET.get("page"))
    summary = digest_summary(kind, page.paginator.count)
    return render(request, "plans/reminder_list.html", {"page": page, "summary": summary, "kind": kind})


@page_view
def reminder_settings(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        services.reminder_email_set(user=request.user, wanted=request.POST.get("email") == "on")
        messages.success(request, _("Reminder settings saved."))
        return redirect("plans:notifications")
    return redirect("plans:notifications")


# --- relationship coverage (the zipper) -------------------------------------------------------


@page_view
def zipper_page(request: HttpRequest, account_pk: int) -> HttpResponse:
    account = _account(request, account_pk)
    if request.method == "POST":
        contact = visible_or_404(
            Contact.objects.filter(account=account), user=request.user, pk=request.POST.get("contact")
        )
        user = User.objects.filter(pk=request.POST.get("user"), is_active=True).first()
        if user is None:
            raise Http404
        try:
            services.relationship_set(contact=contact, user=user, strength=request.POST.get("strength", ""))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("plans_account:zipper", account_pk=account.pk)
    grid = selectors.account_zipper(account=account)
    rows = [(person, [(ours, grid.cells[(person.id, ours.id)]) for ours in grid.ours]) for person in grid.theirs]
    context = {
        "account": account,
        "grid": grid,
        "rows": rows,
        "strengths": STRENGTHS,
        "gap_ids": {p.id for p in grid.gaps},
    }
    return render(request, "plans/zipper.html", context)


@page_view
def revenue_report(request: HttpRequest) -> HttpResponse:
    period = request.GET.get("period") or str(timezone.localdate().year)
    try:
        report = selectors.revenue_report(user=request.user, period=period)
    except ValueError:
        messages.error(request, _("A period is a year (2026) or a quarter (2026-Q2)."))
        report = selectors.revenue_report(user=request.user, period=str(timezone.localdate().year))
    return render(request, "plans/revenue.html", {"report": report})


# --- visits -----------------------------------------------------------------------------------


@page_view
def visit_check_in(request: HttpRequest, pk: int) -> HttpResponse:
    visit = visible_or_404(Visit.objects.select_related("account"), user=request.user, pk=pk)
    form = CheckInForm(request.POST or None, account=visit.account)
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.visit_check_in(visit=visit, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _refused(form, error)
        else:
            if visit.latitude is None:
                messages.warning(request, _("Checked in without a location: the browser gave none."))
            else:
                messages.success(
                    request, _("Checked in at %(lat)s, %(lng)s.") % {"lat": visit.latitude, "lng": visit.longitude}
                )
            return _back(visit.account, "timeline")
    return render(request, "plans/check_in.html", {"form": form, "visit": visit, "account": visit.account})


@page_view
def visit_change(request: HttpRequest, pk: int) -> HttpResponse:
    """Move (a new day) or skip (no day) a planned visit, with a reason."""
    visit = visible_or_404(Visit.objects.select_related("account"), user=request.user, pk=pk)
    form = VisitChangeForm(request.POST or None, initial={"planned_on": visit.planned_on})
    if request.method == "POST" and form.is_valid():
        day, reason = form.cleaned_data["planned_on"], form.cleaned_data["reason"]
        try:
            if day:
                services.visit_move(visit=visit, planned_on=day, reason=reason)
            else:
                services.visit_skip(visit=visit, reason=reason)
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("Visit moved.") if day else _("Visit skipped."))
            return redirect("plans:my_work")
    context = {"form": form, "account": visit.account, "title": _("Move or skip the visit")}
    return render(request, "plans/contact_form.html", context)


@page_view
def visit_interval_edit(request: HttpRequest, account_pk: int) -> HttpResponse:
    """The account's own visit interval (empty: its category's)."""
    account = _account(request, account_pk)
    current = selectors.account_visits(account=account)
    form = VisitIntervalForm(request.POST or None, initial={"interval_days": current.own_interval})
    if request.method == "POST" and form.is_valid():
        try:
            services.visit_interval_set(account=account, interval_days=form.cleaned_data["interval_days"])
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("Visit interval saved."))
            return _back(account, "visits")
    title = _("Visit interval (the category's: every %(days)s days)") % {"days": current.category_interval}
    return render(request, "plans/contact_form.html", {"form": form, "account": account, "title": title})


@page_view
def theme_add(request: HttpRequest, account_pk: int) -> HttpResponse:
    account = _account(request, account_pk)
    form = ThemeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        source, keep = data.pop("source"), data.pop("save_to_library")
        try:
            services.theme_add(account=account, data=data, source=source, save_to_library=keep, user=request.user)
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("Sales theme added."))
            return _back(account, "themes")
    return render(request, "plans/contact_form.html", {"form": form, "account": account, "title": _("New sales theme")})


# --- visit completion rate and intervals ------------------------------------------------------


def _rates(request: HttpRequest) -> selectors.VisitRates:
    """The rates the page and its CSV show: ?period= (a month or quarter; this month when
    absent or malformed) and ?rep= (one of the reps the user may see; 404 otherwise)."""
    rep = None
    if request.GET.get("rep"):
        try:
            rep = selectors.reps_visible_to(user=request.user).get(pk=int(request.GET["rep"]))
        except (ValueError, User.DoesNotExist):
            raise Http404 from None
    period = request.GET.get("period") or timezone.localdate().strftime("%Y-%m")
    try:
        return selectors.visit_rates(user=request.user, period=period, rep=rep)
    except ValueError:
        messages.error(request, _("A period is a month (2026-11) or a quarter (2026-Q4)."))
        return selectors.visit_rates(user=request.user, period=timezone.localdate().strftime("%Y-%m"), rep=rep)


def _percent(rate: object) -> float | None:
    return None if rate is None else round(float(rate) * 100, 1)


@page_view
def visit_rates(request: HttpRequest) -> HttpResponse:
    """Visit completion rate per rep and team: a rep sees themself, a manager their teams'
    reps, a director everyone; another rep answers 404."""
    rates = _rates(request)
    chart = [{"rep": str(row.who), "rate": _percent(row.figures.rate)} for row in rates.per_rep]
    context = {
        "rates": rates,
        "chart": chart,
        "query": request.GET.urlencode(),
        "reps": selectors.reps_visible_to(user=request.user),
        "rep_id": request.GET.get("rep", ""),
    }
    return render(request, "plans/visit_rates.html", context)


@page_view
def visit_rates_csv(request: HttpRequest) -> HttpResponse:
    """The rates page's tables as one CSV (per team, then per rep), same rules as the page."""
    rates = _rates(request)
    header = [_("Level"), _("Name"), _("Team"), _("Due"), _("Done"), _("Skipped"), _("Missed"), _("Completion rate")]
    lines = [(_("Team"), row.who, "", row.figures) for row in rates.per_team]
    lines += [(_("Rep"), row.who, row.who.team or "", row.figures) for row in rates.per_rep]
    rows = [
        [str(level), str(who), str(team), f.due, f.done, f.skipped, f.missed, f.rate] for level, who, team, f in lines
    ]
    return csv_response(iter([[str(name) for name in header], *rows]), filename=f"visit-rates-{rates.period}.csv")


@page_view
def visit_intervals(request: HttpRequest) -> HttpResponse:
    """Directors set the days between visits per account category."""
    if not request.user.is_director:
        raise PermissionDenied
    form = VisitIntervalsForm(request.POST or None, current=selectors.visit_intervals())
    if request.method == "POST" and form.is_valid():
        try:
            services.visit_intervals_set(user=request.user, intervals=form.cleaned_data)
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("Visit intervals saved; the next planned visits follow them."))
            return redirect("plans:visit_intervals")
    return render(request, "plans/visit_intervals.html", {"form": form})
