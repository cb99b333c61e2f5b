"""Pages of the plans app. Thin: each finds the visible object (404 otherwise), validates a
form and calls one service."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Account, Contact
from kam.pages import page_view, visible_or_404
from plans import services
from plans.forms import ActivityForm, ContactForm, ContactMoveForm
from plans.models import Activity


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
