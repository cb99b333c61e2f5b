"""Issue 9: "my work" (a rep's, a manager's) and the pages of an account with a full plan ask
the database a fixed number of times, whatever the number of rows: each page is counted with
N and with 3N rows of everything it shows, and the count is the documented one."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Account, User
from accounts.tests.factories import make_contact, make_order
from plans import services
from plans.models import AccountPlan, Visit
from plans.tests.factories import make_action, make_activity, make_contact_plan, make_plan

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
START = date(2026, 1, 1)

# Each page's queries once warm: the session and the user, the page's own, the unread count in
# the nav. Changing one of these is changing what the page costs: on purpose, with its reason.
ACCOUNT_PAGE_QUERIES = 25  # the account, 3 of the tier card, 2 of its group (a level, the members with
# whom the user sees), 13 of plans.selectors.account_panel (with the development proposals and the visit
# rhythm, eligibility from the tier card), the account team, 3 of purchases and orders
PLAN_PAGE_QUERIES = 7  # the plan, then actions, reviews and revenue (plans.selectors.plan_page)
ZIPPER_PAGE_QUERIES = 9  # the account, then 5 of plans.selectors.account_zipper
# plans.selectors.my_work (with the development proposals), then the accounts not visited for too long
REP_MY_WORK_QUERIES = 11  # its contact plan: 2 (overdue, due this week; the stored next contact day, no activities);
# nothing to approve asked (a rep approves nothing: plans.permissions.can_approve)
MANAGER_MY_WORK_QUERIES = 15  # + plans and proposals to approve, the reps with their overdue counts, their
# teams' people for not visited


def _full_plan(account: Account, owner: User, others: list[User], n: int, tag: str) -> AccountPlan:
    """`n` more of everything an account with a full plan has: contacts (some moved in from
    elsewhere) in the contact plan, activities with contacts and our people, actions, monthly
    reviews, visits planned and done, sales themes, relationship links and orders."""
    plan = AccountPlan.objects.filter(account=account, period="2026").first() or make_plan(
        account, owner, "2026", status="submitted", revenue_target=1_000_000, success_probability=60
    )
    for i in range(n):
        contact = make_contact(account, name=f"{tag}联系人{i}", title="采购经理")
        make_contact_plan(contact, owner, 14, START)
        make_contact_plan(contact, others[i % len(others)], 30, START)
        when = datetime(2026, 2, 1 + i % 27, 10, tzinfo=SHANGHAI)
        make_activity(account, when, contacts=(contact,), participants=(owner, others[i % len(others)]))
        make_action(plan, owner, date(2026, 1, 1), date(2026, 2, 1 + i % 27), action=f"{tag}行动{i}")
        month = date(2020 + len(tag) + i // 12, 1 + i % 12, 1)
        services.review_save(plan=plan, month=month, notes="PDCA", author=owner)
        Visit.objects.create(account=account, owner=owner, planned_on=date(2026, 3, 1 + i % 27))
        Visit.objects.create(account=account, owner=owner, planned_on=date(2026, 1, 1 + i % 27), status="done")
        services.theme_add(
            account=account, data={"problem": f"{tag}问题{i}", "feature": "区域仓", "benefit": "准时"},
            save_to_library=False, user=owner,
        )  # fmt: skip
        services.relationship_set(contact=contact, user=others[i % len(others)], strength="working")
        make_order(account, date(2026, 2, 1 + i % 27), "1000.00", "100.00")
    return plan


def _counted(client, url: str) -> int:  # noqa: ANN001
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


def _counts_with_n_and_3n(client, world, url_of, n: int = 2) -> tuple[int, int]:  # noqa: ANN001
    # given an account with a full plan of N rows of each thing
    others = [world.teammate, world.same_team_rep]
    plan = _full_plan(world.account, world.owner, others, n, "a")
    url = url_of(world.account, plan)
    client.get(url)  # warm: session, content types
    small = _counted(client, url)
    # when it has 3N
    _full_plan(world.account, world.owner, others, 2 * n, "b")
    # then the page asks the database as often
    return small, _counted(client, url)


def test_the_account_page_with_a_full_plan_answers_in_a_fixed_number_of_queries(client, world) -> None:
    client.force_login(world.owner)
    counts = _counts_with_n_and_3n(client, world, lambda account, plan: f"/accounts/{account.pk}/")
    assert counts == (ACCOUNT_PAGE_QUERIES, ACCOUNT_PAGE_QUERIES)


def test_the_plan_page_answers_in_a_fixed_number_of_queries(client, world) -> None:
    client.force_login(world.owner)
    counts = _counts_with_n_and_3n(client, world, lambda account, plan: f"/plans/{plan.pk}/")
    assert counts == (PLAN_PAGE_QUERIES, PLAN_PAGE_QUERIES)


def test_the_zipper_answers_in_a_fixed_number_of_queries(client, world) -> None:
    client.force_login(world.owner)
    counts = _counts_with_n_and_3n(client, world, lambda account, plan: f"/accounts/{account.pk}/zipper/")
    assert counts == (ZIPPER_PAGE_QUERIES, ZIPPER_PAGE_QUERIES)


def _work_of(world, n: int, tag: str) -> None:  # noqa: ANN001
    """`n` more overdue contacts, overdue actions, plans awaiting their owner, submitted plans
    and visits this week for each rep of Team 1, over as many accounts."""
    today = timezone.localdate()
    for rep in (world.owner, world.teammate, world.same_team_rep):
        for i in range(n):
            account = Account.objects.create(name=f"{tag}{rep.username}客户{i}", owner=rep)
            contact = make_contact(account, name=f"{tag}联系人{i}")
            make_contact_plan(contact, rep, 7, today - timedelta(days=60))
            make_activity(account, datetime.now(SHANGHAI) - timedelta(days=30), contacts=(contact,))
            plan = make_plan(account, rep, "2026", status="returned" if i % 2 else "draft")
            make_action(plan, rep, today - timedelta(days=20), today - timedelta(days=2))
            make_plan(account, rep, "2026-Q1", status="submitted", submitted_at=datetime.now(SHANGHAI))
            Visit.objects.create(account=account, owner=rep, planned_on=today + timedelta(days=i % 5))


def _my_work_counts(client, world, user: User):  # noqa: ANN001, ANN202
    # given two of each kind of work per rep
    client.force_login(user)
    _work_of(world, 2, "a")
    client.get("/plans/my-work/")
    small = _counted(client, "/plans/my-work/")
    # when there are six of each
    _work_of(world, 4, "b")
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/plans/my-work/")
    return small, len(queries.captured_queries), page.context["work"]


def test_a_reps_work_answers_in_a_fixed_number_of_queries(client, world) -> None:
    small, large, work = _my_work_counts(client, world, world.owner)
    # then the page asks as often, and shows all the rows
    assert (small, large) == (REP_MY_WORK_QUERIES, REP_MY_WORK_QUERIES)
    assert (len(work.overdue_contacts), len(work.overdue_actions), len(work.my_plans), len(work.visits)) == (6, 6, 6, 6)
    assert (work.overdue_contacts_total, work.overdue_actions_total, work.more) == (6, 6, frozenset())


def test_a_managers_work_answers_in_a_fixed_number_of_queries(client, world) -> None:
    small, large, work = _my_work_counts(client, world, world.manager)
    assert (small, large) == (MANAGER_MY_WORK_QUERIES, MANAGER_MY_WORK_QUERIES)
    assert len(work.to_approve) == 18
    assert [(row.rep.username, row.overdue_contacts, row.overdue_actions) for row in work.team] == [
        ("rep1", 6, 6),
        ("rep2", 6, 6),
        ("rep3", 6, 6),
    ]


def test_my_work_lists_the_most_pressing_rows_and_says_there_are_more(client, world, monkeypatch) -> None:
    # given lists cut at 3 rows, and 4 of each kind of work
    from plans import selectors

    monkeypatch.setattr(selectors, "MY_WORK_ROWS", 3)
    _work_of(world, 4, "a")
    # when rep1 opens "my work"
    client.force_login(world.owner)
    page = client.get("/plans/my-work/")
    # then each list shows the 3 most pressing, the totals count all, and the page says so
    work = page.context["work"]
    assert [len(work.overdue_contacts), len(work.overdue_actions), len(work.my_plans), len(work.visits)] == [3] * 4
    assert (work.overdue_contacts_total, work.overdue_actions_total) == (4, 4)
    assert work.more == {"overdue_contacts", "overdue_actions", "my_plans", "visits"}
    assert [v.planned_on for v in work.visits] == sorted(v.planned_on for v in work.visits)
    assert page.content.decode().count("The first 3 shown.") == 4
