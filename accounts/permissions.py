"""What a user may do with an account they can see (seeing is decided by `visible_to`)."""

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
