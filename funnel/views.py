"""The funnel's pages: the pipeline board (drag and drop, a menu to move, inline edit), an
opportunity's page with its stage history, the stage defaults (directors) and the dashboard."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from funnel import charts as charts_module
from funnel import selectors, services
from funnel.forms import CardForm, CommitmentForm, MoveForm, OpportunityForm, StageDefaultsForm
from funnel.models import Commitment, Opportunity, Stage
from integrations.spreadsheets.exporting import csv_response, xlsx_response
from kam.pages import page_view, visible_or_404


def _scope_from(request: HttpRequest) -> selectors.Scope:
    names = ("owner", "team", "region", "industry", "tier")
    return selectors.scope_resolve(user=request.user, **{name: request.GET.get(name) for name in names})


@page_view
def board(request: HttpRequest) -> HttpResponse:
    """The pipeline board: stage columns on a wide screen, a list at phone width."""
    scope = _scope_from(request)
    columns = selectors.pipeline_board(user=request.user, scope=scope)
    context = {
        "columns": columns,
        "stages": Stage.choices,
        "scope": scope,
        "people": selectors.people_visible_to(request.user).order_by("username"),
        "teams": selectors.teams_visible_to(request.user),
    }
    return render(request, "funnel/board.html", context)


def _card(request: HttpRequest, opportunity: Opportunity, *, status: int = 200) -> HttpResponse:
    return render(request, "funnel/_card.html", {"o": opportunity, "stages": Stage.choices}, status=status)


@page_view
@require_POST
def move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a card to another stage (drag and drop, or the card's menu). htmx gets the card back;
    a plain form post goes back to the board."""
    opportunity = visible_or_404(Opportunity, user=request.user, pk=pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("Unknown stage."), status=400)
    services.opportunity_update(user=request.user, opportunity=opportunity, data={"stage": form.cleaned_data["stage"]})
    if request.headers.get("HX-Request"):
        return _card(request, opportunity)
    messages.success(request, _("Moved to %(stage)s.") % {"stage": opportunity.get_stage_display()})
    return redirect("funnel:board")


@page_view
def card_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Inline edit of a card (htmx): GET the form, POST saves and answers the card."""
    opportunity = visible_or_404(Opportunity, user=request.user, pk=pk)
    if request.method == "POST":
        form = CardForm(request.POST)
        if form.is_valid():
            services.opportunity_update(user=request.user, opportunity=opportunity, data=form.cleaned_data)
            return _card(request, opportunity)
        status = 400
    else:
        form = CardForm(
            initial={
                "amount": opportunity.amount,
                "expected_close_date": opportunity.expected_close_date,
                "probability_override": opportunity.probability_override,
                "category_override": opportunity.category_override or "",
                "next_step": opportunity.next_step,
            }
        )
        status = 200
    return render(request, "funnel/_card_form.html", {"o": opportunity, "form": form}, status=status)


@page_view
def card(request: HttpRequest, pk: int) -> HttpResponse:
    """One card (htmx: "cancel" of the inline edit)."""
    return _card(request, visible_or_404(Opportunity, user=request.user, pk=pk))


@page_view
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = visible_or_404(Opportunity.objects.select_related("account", "owner"), user=request.user, pk=pk)
    form = OpportunityForm(request.POST or None, instance=opportunity, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            services.opportunity_update(user=request.user, opportunity=opportunity, data=data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Opportunity saved."))
            return redirect("funnel:detail", pk=opportunity.pk)
    history = selectors.stage_history(opportunity=opportunity)
    return render(request, "funnel/detail.html", {"o": opportunity, "form": form, "history": history})


@page_view
def create(request: HttpRequest) -> HttpResponse:
    form = OpportunityForm(request.POST or None, user=request.user, initial={"owner": request.user.pk})
    if request.method == "POST" and form.is_valid():
        try:
            opportunity = services.opportunity_create(user=request.user, data=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Opportunity created."))
            return redirect("funnel:detail", pk=opportunity.pk)
    return render(request, "funnel/create.html", {"form": form})


@page_view
def stage_defaults(request: HttpRequest) -> HttpResponse:
    """Directors set the default probability of each open stage."""
    if not request.user.is_director:
        raise PermissionDenied
    form = StageDefaultsForm(request.POST or None, current=selectors.stage_defaults())
    if request.method == "POST" and form.is_valid():
        changed = services.stage_defaults_set(user=request.user, probabilities=form.cleaned_data)
        messages.success(request, _("Defaults saved; %(n)s opportunities follow them.") % {"n": changed})
        return redirect("funnel:stage_defaults")
    # The data-driven probability (won / reached, last four quarters) beside each default.
    learned = {row.stage: row for row in selectors.stage_statistics(user=request.user, scope=selectors.Scope())}
    rows = [(form[stage], learned[stage]) for stage in form.fields]
    return render(request, "funnel/stage_defaults.html", {"form": form, "rows": rows})


def _dashboard_data(request: HttpRequest) -> selectors.Dashboard:
    scope = _scope_from(request)
    label = request.GET.get("quarter")
    try:
        quarter = selectors.quarter_parse(label) if label else selectors.current_quarter()
    except ValueError:
        quarter = selectors.current_quarter()
    return selectors.dashboard(user=request.user, scope=scope, quarter=quarter)


@page_view
def dashboard(request: HttpRequest) -> HttpResponse:
    """The manager dashboard: a rep sees their own figures, a manager their teams', a director
    all; a rep or team the person may not see answers 404."""
    data = _dashboard_data(request)
    charts = {
        "funnel": [{"stage": r.label, "count": r.count, "amount": float(r.amount)} for r in data.funnel],
        "weighted": [{"quarter": q, "weighted": float(v)} for q, v in data.weighted_by_quarter],
        "forecast": [
            {"week": w.week.isoformat(), "weighted": float(w.weighted), "commit": float(w.commit)}
            for w in data.accuracy.weeks
        ],
        "actual": float(data.accuracy.actual),
        "conversion": [
            {
                "stage": r.stage,
                "conversion": None if r.conversion is None else float(r.conversion),
                "win_rate": None if r.win_rate is None else float(r.win_rate),
                "days": None if r.average_days is None else float(r.average_days),
            }
            for r in data.stages
        ],
        "ageing": [{"owner": r.owner, "buckets": [float(b) for b in r.buckets]} for r in data.ageing],
        "buckets": list(selectors.AGEING_BUCKETS),
        **charts_module.chart_data(data),
    }
    tables = {chart: charts_module.labelled(chart, *data.table(chart)) for chart in selectors.ALL_CHARTS}
    context = {
        "data": data,
        "charts": charts,
        "tables": tables,
        "query": request.GET.urlencode(),
        "people": selectors.people_visible_to(request.user).order_by("username"),
        "teams": selectors.teams_visible_to(request.user),
        "can_adjust": request.user.is_director or request.user.role == "manager",
    }
    return render(request, "funnel/dashboard.html", context)


@page_view
@require_POST
def commit(request: HttpRequest) -> HttpResponse:
    """A rep submits (or replaces) their commit figure for a quarter."""
    form = CommitmentForm(request.POST)
    if form.is_valid():
        try:
            services.commitment_submit(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Commitment saved."))
    else:
        messages.error(request, _("Give a quarter like 2026-Q3 and an amount."))
    return redirect(f"{reverse('funnel:dashboard')}?quarter={request.POST.get('quarter', '')}")


@page_view
@require_POST
def commit_adjust(request: HttpRequest, pk: int) -> HttpResponse:
    """A manager's adjusted figure beside a rep's commitment (empty removes it); a commitment of
    a rep the manager may not see answers 404."""
    commitment = get_object_or_404(
        Commitment.objects.filter(owner__in=selectors.people_visible_to(request.user).values("pk")), pk=pk
    )
    raw = request.POST.get("amount", "").strip()
    try:
        amount = Decimal(raw) if raw else None
    except InvalidOperation:
        messages.error(request, _("Give an amount."))
    else:
        services.commitment_adjust(user=request.user, commitment=commitment, amount=amount)
        messages.success(request, _("Adjustment saved beside the rep's figure."))
    return redirect(f"{reverse('funnel:dashboard')}?quarter={commitment.quarter}")


@page_view
def dashboard_csv(request: HttpRequest, chart: str) -> HttpResponse:
    """One chart's table as CSV, with the page's scope and filters."""
    if chart not in selectors.ALL_CHARTS:
        raise Http404
    header, rows = _dashboard_data(request).table(chart)
    return csv_response(iter([list(header), *rows]), filename=f"{chart}.csv")


@page_view
def dashboard_xlsx(request: HttpRequest, chart: str) -> HttpResponse:
    """One chart's table as a workbook, with the page's scope and filters; headers and values
    are the labels the page shows, in the user's language (a string cell is never a formula,
    so no guard: integrations/spreadsheets/exporting.py)."""
    if chart not in selectors.ALL_CHARTS:
        raise Http404
    header, rows = charts_module.labelled(chart, *_dashboard_data(request).table(chart))
    response = xlsx_response(iter([header, *rows]), title=str(charts_module.XLSX_TITLES[chart])[:31])
    response["Content-Disposition"] = f'attachment; filename="{chart}.xlsx"'
    return response
