from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import exports, selectors, services
from accounts.forms import AccountForm
from accounts.models import Account
from accounts.permissions import can_delete_accounts
from integrations.spreadsheets.exporting import csv_response, xlsx_response
from kam.pages import page_view, visible_or_404
from plans.selectors import account_panel
from tiering.forms import OverrideForm
from tiering.permissions import can_override_tiers
from tiering.selectors import account_tier_card


@page_view
def account_list(request: HttpRequest) -> HttpResponse:
    accounts, filterset = selectors.account_list(user=request.user, filters=request.GET)
    page = Paginator(accounts, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"page": page, "filter": filterset, "query": query.urlencode()}
    template = "accounts/_account_rows.html" if request.headers.get("HX-Request") else "accounts/account_list.html"
    return render(request, template, context)


@page_view
def account_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The list as filtered, as a spreadsheet for people (accounts/exports.py)."""
    if fmt not in ("csv", "xlsx"):
        raise Http404
    rows = exports.account_export_rows(user=request.user, filters=request.GET)
    filename = f"accounts-{timezone.localdate():%Y-%m-%d}.{fmt}"
    if fmt == "csv":
        return csv_response(rows, filename=filename)
    response = xlsx_response(rows, title=_("Accounts"))
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@page_view
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = visible_or_404(Account.objects.select_related("owner", "parent"), user=request.user, pk=pk)
    card = account_tier_card(account=account)
    context = {
        "account": account,
        "group": selectors.account_group_tree(user=request.user, account=account),
        "plans": account_panel(account=account, tier_card=card),
        "team": selectors.account_team(account=account),
        "summary": selectors.account_purchase_summary(account=account),
        "orders": selectors.recent_orders(account=account),
        "can_delete": can_delete_accounts(request.user),
        "card": card,
        "can_override": can_override_tiers(request.user),
        "override_form": OverrideForm(),
    }
    return render(request, "accounts/account_detail.html", context)


@page_view
def account_edit(request: HttpRequest, pk: int) -> HttpResponse:
    account = visible_or_404(Account.objects.select_related("owner", "parent"), user=request.user, pk=pk)
    form = AccountForm(request.POST or None, instance=account, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            form.save()
        except ValidationError as error:  # the parent, re-checked under the lock, lost a race
            form.add_error(None, error)
        else:
            messages.success(request, _("Account saved."))
            return redirect("accounts:detail", pk=account.pk)
    return render(request, "accounts/account_form.html", {"form": form, "account": account})


@page_view
@require_POST
def account_delete(request: HttpRequest, pk: int) -> HttpResponse:
    account = visible_or_404(Account.objects.select_related("owner", "parent"), user=request.user, pk=pk)
    if not can_delete_accounts(request.user):
        raise PermissionDenied
    try:
        services.account_delete(account=account)
    except services.AccountHasSubsidiaries as refusal:
        messages.error(request, refusal.message)
        return redirect("accounts:detail", pk=account.pk)
    messages.success(request, _("Account deleted."))
    return redirect("accounts:list")
