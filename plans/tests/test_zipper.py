"""The zipper page: our people × theirs, strengths set per pair, last shared activity, gaps."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from accounts.tests.factories import make_contact
from plans.models import RelationshipLink
from plans.selectors import account_zipper
from plans.tests.factories import make_activity

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_gaps_until_someone_of_ours_works_with_the_decision_maker(client, world) -> None:
    # given a decision maker, a blocker and a user; the owner met the decision maker once
    boss = make_contact(world.account, name="张总", buying_role="decision_maker")
    blocker = make_contact(world.account, name="钱工", buying_role="blocker")
    make_contact(world.account, name="刘工", buying_role="user")
    met = datetime(2026, 3, 2, 10, tzinfo=SHANGHAI)
    make_activity(world.account, met, contacts=(boss,), participants=(world.owner, world.teammate))
    client.force_login(world.owner)
    url = reverse("plans_account:zipper", args=[world.account.pk])
    page = client.get(url)
    assert [p.name for p in page.context["grid"].gaps] == ["张总", "钱工"]
    grid = account_zipper(account=world.account)
    assert {p.id for p in grid.ours} == {world.owner.pk, world.teammate.pk}  # the account team
    assert grid.cells[(boss.pk, world.owner.pk)].last_interaction == met
    assert grid.cells[(blocker.pk, world.owner.pk)].last_interaction is None
    # when the owner marks a working relationship with the decision maker
    client.post(url, {"contact": boss.pk, "user": world.owner.pk, "strength": "working"})
    # then only the blocker is a gap
    assert [p.name for p in account_zipper(account=world.account).gaps] == ["钱工"]
    assert RelationshipLink.objects.get().strength == "working"
    # and "none" removes the link again
    client.post(url, {"contact": boss.pk, "user": world.owner.pk, "strength": "none"})
    assert not RelationshipLink.objects.exists()


def test_another_teams_account_or_contact_answers_404(client, world) -> None:
    hidden = make_contact(world.other_account, name="李强")
    client.force_login(world.owner)
    assert client.get(reverse("plans_account:zipper", args=[world.other_account.pk])).status_code == 404
    url = reverse("plans_account:zipper", args=[world.account.pk])
    assert client.post(url, {"contact": hidden.pk, "user": world.owner.pk, "strength": "strong"}).status_code == 404
    assert not RelationshipLink.objects.exists()
