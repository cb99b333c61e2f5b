"""Pages of outgoing webhooks (directors only): subscriptions, the delivery log, redelivery."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.db.models.fields.json import KT
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from integrations.webhooks import services
from integrations.webhooks.forms import DeliveryFilterForm, SubscriptionForm
from integrations.webhooks.models import WebhookDelivery, WebhookSubscription
from integrations.webhooks.permissions import can_manage_webhook_pages
from kam.pages import page_view

# The session key (not a secret) holding a new secret to show once, after the redirect.
NEW_SECRET_SESSION_KEY = "integrations:webhook-secret"  # noqa: S105


def _require_director(request: HttpRequest) -> None:
    if not can_manage_webhook_pages(request.user):
        raise PermissionDenied


@page_view
def webhooks(request: HttpRequest) -> HttpResponse:
    _require_director(request)
    form = SubscriptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        subscription = services.subscription_create(
            url=form.cleaned_data["url"], events=form.cleaned_data["events"], user=request.user
        )
        # Shown on the next GET only (post/redirect/get: a reload must not create a second one).
        request.session[NEW_SECRET_SESSION_KEY] = {"id": subscription.pk, "secret": subscription.secret}
        messages.success(request, _("Webhook created. Copy its secret now: it will not be shown again."))
        return redirect("integrations:webhooks")
    context = {
        "form": form,
        "subscriptions": WebhookSubscription.objects.all(),
        "new_secret": request.session.pop(NEW_SECRET_SESSION_KEY, None) if request.method == "GET" else None,
        "recent": _log_rows()[:10],
    }
    return render(request, "integrations/webhooks.html", context)


@page_view
@require_POST
def webhook_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    _require_director(request)
    subscription = get_object_or_404(WebhookSubscription, pk=pk)
    services.subscription_update(subscription=subscription, is_active=not subscription.is_active)
    if subscription.is_active:
        messages.success(request, _("Webhook enabled."))
    else:
        messages.success(request, _("Webhook disabled; pending deliveries to it will fail."))
    return redirect("integrations:webhooks")


@page_view
@require_POST
def webhook_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _require_director(request)
    services.subscription_delete(subscription=get_object_or_404(WebhookSubscription, pk=pk))
    messages.success(request, _("Webhook deleted with its delivery log."))
    return redirect("integrations:webhooks")


def _log_rows() -> QuerySet[WebhookDelivery]:
    # A tier.changed payload holds 1,000 changes: read only its batch numbers for the log.
    return (
        WebhookDelivery.objects.select_related("subscription")
        .defer("payload")
        .annotate(batch=KT("payload__batch"), batches=KT("payload__batches"))
        .order_by("-id")
    )


@page_view
def deliveries(request: HttpRequest) -> HttpResponse:
    _require_director(request)
    filters = DeliveryFilterForm(request.GET or None)
    rows = _log_rows()
    if filters.is_valid():
        for name in ("status", "event", "subscription"):
            if filters.cleaned_data.get(name):
                rows = rows.filter(**{name: filters.cleaned_data[name]})
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"page": page, "filters": filters, "query": query.urlencode()}
    return render(request, "integrations/webhooks_deliveries.html", context)


@page_view
@require_POST
def delivery_redeliver(request: HttpRequest, pk: int) -> HttpResponse:
    _require_director(request)
    delivery = get_object_or_404(WebhookDelivery, pk=pk)
    services.delivery_redeliver(delivery=delivery)
    messages.success(request, _("Delivery #%(id)s queued again.") % {"id": delivery.pk})
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("integrations:webhook_deliveries")
    return redirect(back)
