"""What a user may do with an account they can see (seeing is decided by `visible_to`)."""

from django.conf import settings
from django.db.models import Q, QuerySet

from accounts.models import User


def can_edit_accounts(user: User) -> bool:
    # Anyone who can see an account may keep its profile up to date.
    return user.is_authenticated and user.is_active


def can_delete_accounts(user: User) -> bool:
    # Deleting wipes purchase history too: only people who answer for a whole team may.
    return user.is_authenticated and user.is_active and (user.is_superuser or user.role in ("manager", "director"))


def can_use_pages(user: User) -> bool:
    # Integration users are API-only: they never get a browser session.
    return user.is_authenticated and user.is_active and user.role != User.Role.INTEGRATION


# --- Who owns accounts and who may hand them to whom (DOMAIN.md "Visibility"; issue 12 item 4) ---
# One rule for every entry path (form, API, bulk, import): a rep may set only themself; a
# manager anyone who can own accounts in the teams they lead (and themself); a director, and
# the ERP (an integration user, or an import from the command line), anyone who can own
# accounts. Integration users never own accounts themselves: nobody would answer for them.
OWNER_ROLES = (User.Role.REP, User.Role.MANAGER, User.Role.DIRECTOR)


def account_owners() -> QuerySet[User]:
    """People who can own accounts: active, and not API-only integration users."""
    return User.objects.filter(is_active=True, role__in=OWNER_ROLES)


def owner_choices(user: User) -> QuerySet[User]:
    """The people `user` may make the owner of an account (none for anonymous or inactive people),
    in the order they are offered: by name as owner_label shows it (first, last, else username),
    then id. (Unordered, the database gave them in whatever order its plan read them.)"""
    if not (user.is_authenticated and user.is_active):
        return User.objects.none()
    owners = account_owners().order_by("first_name", "last_name", "username", "pk")
    if user.is_director or user.is_integration:
        return owners
    if user.role == User.Role.MANAGER:
        return owners.filter(Q(team__manager=user) | Q(pk=user.pk))
    return owners.filter(pk=user.pk)


def may_set_owner(*, user: User, owner: User | None, current_owner_id: int | None = None) -> bool:
    """Whether `user` may make `owner` the owner of an account whose owner is `current_owner_id`
    (None for a new account). Keeping the current owner is always allowed: editing another
    field must not be refused because the account is someone else's. Nobody is never allowed."""
    if owner is None:
        return False
    if current_owner_id is not None and owner.pk == current_owner_id:
        return True
    return owner_choices(user).filter(pk=owner.pk).exists()


def default_account_owner() -> User | None:
    """The owner of a new account that arrives without one (an ERP knows no CRM users):
    the user named by settings.DEFAULT_ACCOUNT_OWNER, if they can own accounts."""
    username = settings.DEFAULT_ACCOUNT_OWNER
    return account_owners().filter(username=username).first() if username else None


def owner_label(user: User) -> str:
    """How an owner is offered in choices: their full name, else their username."""
    return user.get_full_name() or user.username
