from __future__ import annotations

import functools

from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpResponse, HttpResponseBase
from django.utils.translation import gettext as _
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import services
from accounts.api.json_rows import account_csv, account_json, contact_csv, contact_json, order_csv, order_json
from accounts.api.permissions import ResourceScope, has_scope
from accounts.api.serializers import (
    AccountSerializer,
    ContactSerializer,
    DeletedRecordSerializer,
    InvoiceSerializer,
    OrderSerializer,
    PaymentSerializer,
    TeamMemberSerializer,
)
from accounts.deletion_kinds import deletion_kinds
from accounts.filters import AccountApiFilter
from accounts.models import Account, AccountTeamMember, Contact, DeletedRecord, Invoice, Order, Payment
from accounts.permissions import can_delete_accounts
from kam.api.csv_pages import SyncCsvRenderer, csv_page, csv_response
from kam.api.renderers import SafeJSONRenderer
from kam.api.sql_json import PageCsv, PageJson, fast_json_available
from tiering.models import AccountScore
from tiering.selectors import current_run, current_run_id


# A list whose JSON page PostgreSQL writes (`row_json`: kam/api/sql_json.py, json_rows.py), the
# serializer's page byte for byte once parsed (accounts/tests/test_fast_list.py), so a full sync
# costs index scans rather than a model instance and serializer per row (docs/benchmarks.md,
# "sync"). The serializer answers where that cannot be: SQLite, the browsable API (HTML).
# It also answers CSV pages (`Accept: text/csv`, `?format=csv`: kam/api/csv_pages.py), written by
# PostgreSQL's COPY (`row_csv`), or from the serializer's page where the JSON would be.
# (No docstring: the OpenAPI document would take it as the description of every view without one.)
class SqlJsonList:
    def fast_list_queryset(self) -> QuerySet:
        """The visible rows, before filters (no prefetching: the row's JSON is written whole)."""
        return self.get_queryset()

    def row_json(self) -> PageJson:
        raise NotImplementedError

    def row_csv(self) -> PageCsv:
        raise NotImplementedError

    def get_renderers(self) -> list:
        renderers = super().get_renderers()
        return [*renderers, SyncCsvRenderer()] if self.action == "list" else renderers

    def perform_content_negotiation(self, request: Request, force: bool = False) -> tuple:
        try:
            return super().perform_content_negotiation(request, force)
        except Http404:  # DRF's answer to an unknown `format`
            if self.action is None:  # a method the view lacks: let its 405 through, in JSON
                return super().perform_content_negotiation(request, force=True)
            if self.action != "list":
                raise
            raise ValidationError({"format": [_("Give json or csv.")]}) from None  # documented on the list

    def finalize_response(self, request: Request, response: HttpResponseBase, *args, **kwargs) -> HttpResponseBase:
        # A CSV page is an HttpResponse already; anything DRF renders on a CSV request is an error
        # (a bad cursor, a throttle...), which keeps the API's JSON error shape.
        if isinstance(response, Response) and isinstance(getattr(request, "accepted_renderer", None), SyncCsvRenderer):
            request.accepted_renderer, request.accepted_media_type = SafeJSONRenderer(), SafeJSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)

    def list(self, request: Request, *args, **kwargs) -> HttpResponseBase:
        if isinstance(request.accepted_renderer, SyncCsvRenderer):
            return self.list_csv(request)
        # The exact renderer the page stands in for (a subclass may write other bytes). The
        # database's text is UTF-8 already (PostgreSQL stores no lone surrogate), so the
        # SafeJSONRenderer's fallback is never needed for these rows.
        if not (type(request.accepted_renderer) is SafeJSONRenderer and fast_json_available()):
            return super().list(request, *args, **kwargs)
        queryset = self.filter_queryset(self.fast_list_queryset())
        rows = self.paginator.paginate_json(queryset, request, self, row=self.row_json())
        return HttpResponse(self.paginator.get_paginated_json(rows), content_type="application/json")

    def list_csv(self, request: Request) -> HttpResponse:
        if fast_json_available():
            queryset = self.filter_queryset(self.fast_list_queryset())
            body = self.paginator.paginate_csv(queryset, request, self, row=self.row_csv())
        else:
            page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
            serializer = self.get_serializer(page, many=True)
            body = csv_page([name for name, _ in self.row_csv().columns], serializer.data)
        return csv_response(body, self.paginator)


class AccountViewSet(SqlJsonList, viewsets.ModelViewSet):
    """Accounts the caller may see, with their contacts and account team."""

    serializer_class = AccountSerializer
    permission_classes = [IsAuthenticated, ResourceScope]
    scope_resource = "accounts"
    queryset = Account.objects.none()  # for the schema; get_queryset decides what is seen
    filterset_class = AccountApiFilter
    search_fields = ["name", "english_name", "external_id"]

    def get_queryset(self):  # noqa: ANN201 - DRF's signature
        run = current_run()
        # Ties broken by id: the same order on every request, and in the fast list (json_rows).
        return Account.objects.visible_to(self.request.user).prefetch_related(
            Prefetch("contacts", queryset=Contact.objects.order_by("name", "id")),
            Prefetch("team_members", queryset=AccountTeamMember.objects.select_related("user").order_by("id")),
            Prefetch(
                "scores",
                queryset=AccountScore.objects.filter(run=run, is_group=False),
                to_attr="current_scores",
            ),
        )

    def fast_list_queryset(self) -> QuerySet:
        return Account.objects.visible_to(self.request.user)  # the rows' JSON brings its own nested parts

    def row_json(self) -> PageJson:
        return _account_rows()[0]

    def row_csv(self) -> PageCsv:
        return _account_rows()[1]

    def destroy(self, request: Request, *args, **kwargs) -> Response:
        account = self.get_object()  # 404 first: a hidden account is never confirmed to exist
        if not can_delete_accounts(request.user):
            raise PermissionDenied(_("Only managers and directors may delete accounts."))
        services.account_delete(account=account)  # a group's parent: AccountHasSubsidiaries, answered 409
        return Response(status=status.HTTP_204_NO_CONTENT)


@functools.cache
def _account_rows() -> tuple[PageJson, PageCsv]:
    """The account page's SQL, the same for every request: built once (compiling it, the current
    run's id subquery included, cost ~0.4 ms of CPU a page). The run's id is read by the page's
    query itself, so no round trip of its own, and never stale."""
    return account_json(run_id=current_run_id()), account_csv(run_id=current_run_id())


class ContactViewSet(SqlJsonList, viewsets.ModelViewSet):
    serializer_class = ContactSerializer
    permission_classes = [IsAuthenticated, ResourceScope]
    scope_resource = "contacts"
    queryset = Contact.objects.none()
    filterset_fields = ["account", "buying_role", "attitude", "is_active"]
    search_fields = ["name", "title", "department", "email"]

    def get_queryset(self):  # noqa: ANN201
        return Contact.objects.visible_to(self.request.user)

    def row_json(self) -> PageJson:
        return contact_json()

    def row_csv(self) -> PageCsv:
        return contact_csv()

    def perform_create(self, serializer: ContactSerializer) -> None:
        serializer.instance = services.contact_create(data=serializer.validated_data)

    def perform_update(self, serializer: ContactSerializer) -> None:
        serializer.instance = services.contact_update(contact=serializer.instance, data=serializer.validated_data)

    def perform_destroy(self, instance: Contact) -> None:
        services.contact_delete(contact=instance)  # leaves a tombstone for syncing clients


class TeamMemberViewSet(viewsets.ModelViewSet):
    serializer_class = TeamMemberSerializer
    permission_classes = [IsAuthenticated, ResourceScope]
    scope_resource = "accounts"
    queryset = AccountTeamMember.objects.none()
    filterset_fields = ["account", "role", "user"]
    sync_ordering = "id"  # no timestamps: ids only grow

    def get_queryset(self):  # noqa: ANN201
        return AccountTeamMember.objects.visible_to(self.request.user).select_related("user")

    def perform_destroy(self, instance: AccountTeamMember) -> None:
        services.team_member_delete(member=instance)  # leaves a tombstone for syncing clients


class OrderViewSet(SqlJsonList, viewsets.ReadOnlyModelViewSet):
    """Orders the caller may see, to reconcile with the ERP (written by `orders/bulk/`)."""

    serializer_class = OrderSerializer
    permission_classes = [IsAuthenticated, ResourceScope]
    scope_resource = "orders"
    queryset = Order.objects.none()
    filterset_fields = ["account", "external_id", "status"]
    search_fields = ["external_id"]  # the SearchFilter is on every list; make `search` mean something

    def get_queryset(self):  # noqa: ANN201
        return Order.objects.visible_to(self.request.user).select_related("account")

    def row_json(self) -> PageJson:
        return order_json()

    def row_csv(self) -> PageCsv:
        return order_csv()


class InvoiceViewSet(viewsets.ReadOnlyModelViewSet):
    """Invoices the caller may see (written by `invoices/bulk/`)."""

    serializer_class = InvoiceSerializer
    permission_classes = [IsAuthenticated, ResourceScope]
    scope_resource = "invoices"
    queryset = Invoice.objects.none()
    filterset_fields = ["account", "external_id", "order"]
    search_fields = ["external_id"]  # the SearchFilter is on every list; make `search` mean something

    def get_queryset(self):  # noqa: ANN201
        return Invoice.objects.visible_to(self.request.user).select_related("account", "order")


class PaymentViewSet(viewsets.ReadOnlyModelViewSet):
    """Payments (receivables) the caller may see (written by `payments/bulk/`)."""

    serializer_class = PaymentSerializer
    permission_classes = [IsAuthenticated, ResourceScope]
    scope_resource = "payments"
    queryset = Payment.objects.none()
    filterset_fields = ["account", "external_id", "order", "invoice"]
    search_fields = ["external_id"]  # the SearchFilter is on every list; make `search` mean something

    def get_queryset(self):  # noqa: ANN201
        return Payment.objects.visible_to(self.request.user).select_related("account", "order", "invoice")


def readable_kinds(request: Request) -> list[str]:
    """The kinds of deleted record the request's token may read (all of them for a person's
    session): a token reads the deletions of the collections it may read (each kind's scope in
    accounts.deletion_kinds)."""
    return [kind.kind for kind in deletion_kinds() if has_scope(request, kind.scope)]


class ReadsSomeDeletions(BasePermission):
    message = "This token lacks a read scope for any collection (accounts:read, orders:read, ...)."

    def has_permission(self, request: Request, view) -> bool:  # noqa: ANN001
        return bool(readable_kinds(request))


class DeletionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Records deleted, oldest first: accounts with everything deleted with them, contacts, team
    members, orders, invoices, payments, activities, account plans, actions, contact-plan entries,
    relationships, visits, sales themes, opportunities. Sync it like any collection (`updated_since` is compared
    with `deleted_at`, `cursor` pages on). Seen by who saw the record (see README, "Sync out");
    a token sees the kinds of the collections it has a read scope for."""

    serializer_class = DeletedRecordSerializer
    permission_classes = [IsAuthenticated, ReadsSomeDeletions]
    queryset = DeletedRecord.objects.none()
    filterset_fields = ["kind", "account_id"]
    search_fields = ["external_id"]  # the SearchFilter is on every list; make `search` mean something
    sync_ordering = "deleted_at"

    def get_queryset(self):  # noqa: ANN201
        return DeletedRecord.objects.visible_to(self.request.user).filter(kind__in=readable_kinds(self.request))
