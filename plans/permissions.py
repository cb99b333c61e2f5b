"""What a user may do with a plan they can see (seeing is decided by `visible_to`)."""

from __future__ import annotations

from accounts.models import User
from plans.models import AccountPlan, DevelopmentProposal


def can_approve(user: User, plan: AccountPlan | DevelopmentProposal) -> bool:
    """A plan (or a development proposal) is approved by its owner's manager or a director,
    never by its owner (the four-eyes rule holds for managers and directors who write them too)."""
    if not user.is_authenticated or not user.is_active or user.pk == plan.owner_id:
        return False
    if user.is_director:
        return True
    team = plan.owner.team
    return user.role == User.Role.MANAGER and team is not None and team.manager_id == user.pk
