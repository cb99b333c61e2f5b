from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Account
from kam.pages import page_view, visible_or_404
from tiering import selectors, services
from tiering.forms import AssessmentForm, ConfigForm, OverrideForm
from tiering.permissions import can_override_tiers, can_run_tiering


@page_view
def matrix(request: HttpRequest) -> HttpResponse:
    grid = selectors.tier_matrix(user=request.user)
    chart = [
        [position - 1, row_index, cell.accounts, float(cell.revenue), cell.tier]
        for row_index, row in enumerate(grid)
        for position, cell in enumerate(row, start=1)
    ]
    context = {"grid": grid, "run": selectors.current_run(), "chart": chart}
    return render(request, "tiering/matrix.html", context)


@page_view
def needs_assessment(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.needs_assessment(user=request.user), 50).get_page(request.GET.get("page"))
    return render(request, "tiering/needs_assessment.html", {"page": page})


@page_view
def assess(request: HttpRequest, pk: int) -> HttpResponse:
    account = visible_or_404(Account, user=request.user, pk=pk)
    latest = account.assessments.first()
    initial = {f: getattr(latest, f) for f in AssessmentForm.Meta.fields} if latest else {}
    form = AssessmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.assessment_create(account=account, user=request.user, data=form.cleaned_data)
        messages.success(request, _("Assessment saved; the next run places the account with it."))
        return redirect("accounts:detail", pk=account.pk)
    return render(request, "tiering/assess.html", {"form": form, "account": account})


@page_view
@require_POST
def override(request: HttpRequest, pk: int) -> HttpResponse:
    account = visible_or_404(Account, user=request.user, pk=pk)
    if not can_override_tiers(request.user):
        raise PermissionDenied
    form = OverrideForm(request.POST)
    if form.is_valid():
        services.override_create(account=account, user=request.user, **form.cleaned_data)
        messages.success(request, _("Tier pinned; the next run will respect it."))
    else:
        errors = "; ".join(f"{form.fields[f].label}: {' '.join(e)}" for f, e in form.errors.items())
        messages.error(request, _("Tier not pinned: %(errors)s") % {"errors": errors})
    return redirect("accounts:detail", pk=account.pk)


@page_view
def migration(request: HttpRequest) -> HttpResponse:
    report = selectors.tier_migration_report(
        user=request.user, from_run_id=request.GET.get("from"), to_run_id=request.GET.get("to")
    )
    return render(request, "tiering/migration.html", {"report": report})


@page_view
def runs(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if not can_run_tiering(request.user):
            raise PermissionDenied
        run = services.run_start(trigger=f"user {request.user.username}")
        messages.success(request, _("Run #%(id)s queued.") % {"id": run.pk})
        return redirect("tiering:runs")
    page = Paginator(selectors.run_list(), 30).get_page(request.GET.get("page"))
    rows = selectors.run_rows(runs=page.object_list)
    return render(request, "tiering/runs.html", {"page": page, "rows": rows, "can_run": can_run_tiering(request.user)})


@page_view
def settings_edit(request: HttpRequest) -> HttpResponse:
    if not can_run_tiering(request.user):
        raise PermissionDenied
    current = services.config_current()
    form = ConfigForm(request.POST or None, initial={"data": json.dumps(current.data, indent=2)})
    if request.method == "POST" and form.is_valid():
        version = services.config_save(
            data=form.cleaned_data["data"], user=request.user, note=form.cleaned_data["note"]
        )
        messages.success(request, _("Settings saved as version %(v)s.") % {"v": version.pk})
        return redirect("tiering:settings")
    return render(request, "tiering/settings.html", {"form": form, "current": current})
