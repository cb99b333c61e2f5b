"""The page form for a new webhook subscription."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from integrations.event_types import event_choices
from integrations.webhooks.models import WebhookDelivery, http_url


class SubscriptionForm(forms.Form):
    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        validators=[http_url],
        assume_scheme="https",
        widget=forms.URLInput(attrs={"class": "form-control", "placeholder": "https://erp.example.com/kam-hook"}),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=event_choices,  # a callable: read when the form is made, once every app declared its events
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )


class DeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *WebhookDelivery.Status.choices],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    event = forms.ChoiceField(
        label=_("Event"),
        required=False,
        choices=lambda: [("", _("Any event")), *event_choices()],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    subscription = forms.IntegerField(required=False, widget=forms.HiddenInput)
