"""What a user may do in tiering (seeing accounts is decided by `visible_to`)."""

from accounts.models import User


def can_override_tiers(user: User) -> bool:
    return user.is_active and (user.is_superuser or user.role in (User.Role.MANAGER, User.Role.DIRECTOR))


def can_run_tiering(user: User) -> bool:
    """Start runs and change the settings: directors (and integrations with the runs:write scope, via the API)."""
    return user.is_active and (user.is_superuser or user.role == User.Role.DIRECTOR)
