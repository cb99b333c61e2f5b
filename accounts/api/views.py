from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from rest_framework import status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import services
from accounts.api.permissions import ResourceScope
from accounts.api.serializers import AccountSerializer, ContactSerializer, TeamMemberSerializer
from accounts.filters import AccountApiFilter
from accounts.models import Account, AccountTeamMember, Contact
from accounts.permissions import can_delete_accounts
from tiering.models import AccountScore
from tiering.selectors import current_run


class AccountViewSet(viewsets.ModelViewSet):
    """Accounts the caller may see, with their contacts and account team."""

    serializer_class = AccountSerializer
    permission_classes = [IsAuthenticated, ResourceScope]
    scope_resource = "accounts"
    queryset = Account.objects.none()  # for the schema; get_queryset decides what is seen
    filterset_class = AccountApiFilter
    search_fields = ["name", "english_name", "external_id"]

    def get_queryset(self):  # noqa: ANN201 - DRF's signature
        run = current_run()
        return Account.objects.visible_to(self.request.user).prefetch_related(
            Prefetch("contacts", queryset=Contact.objects.order_by("name")),
            Prefetch("team_members", queryset=AccountTeamMember.objects.select_related("user")),
            Prefetch(
                "scores",
                queryset=AccountScore.objects.filter(run=run, is_group=False),
                to_attr="current_scores",
            ),
        )

    def destroy(self, request: Request, *args, **kwargs) -> Response:
        account = self.get_object()  # 404 first: a hidden account is never confirmed to exist
        if not can_delete_accounts(request.user):
            raise PermissionDenied(_("Only managers and directors may delete accounts."))
        services.account_delete(account=account)  # a group's parent: AccountHasSubsidiaries, answered 409
        return Response(status=status.HTTP_204_NO_CONTENT)


class ContactViewSet(viewsets.ModelViewSet):
    serializer_class = ContactSerializer
    permission_classes = [IsAuthenticated, ResourceScope]
    scope_resource = "contacts"
    queryset = Contact.objects.none()
    filterset_fields = ["account", "buying_role", "attitude", "is_active"]
    search_fields = ["name", "title", "department", "email"]

    def get_queryset(self):  # noqa: ANN201
        return Contact.objects.visible_to(self.request.user)

    def perform_create(self, serializer: ContactSerializer) -> None:
        serializer.instance = services.contact_create(data=serializer.validated_data)

    def perform_update(self, serializer: ContactSerializer) -> None:
        serializer.instance = services.contact_update(contact=serializer.instance, data=serializer.validated_data)


class TeamMemberViewSet(viewsets.ModelViewSet):
    serializer_class = TeamMemberSerializer
    permission_classes = [IsAuthenticated, ResourceScope]
    scope_resource = "accounts"
    queryset = AccountTeamMember.objects.none()
    filterset_fields = ["account", "role", "user"]
    sync_ordering = "id"  # no timestamps: ids only grow

    def get_queryset(self):  # noqa: ANN201
        return AccountTeamMember.objects.visible_to(self.request.user).select_related("user")
