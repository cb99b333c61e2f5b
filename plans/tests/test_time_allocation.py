"""Time allocation: activity minutes per account category, per rep and team, against the
guideline; one grouped query; the page, its CSV (formula guard) and the API, each showing only
the reps and teams the caller may see (others: 404)."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Account
from kam.testing import csv_download, token_client
from plans.selectors import AllocationScope, time_allocation
from plans.tests.factories import make_activity

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _shanghai(settings) -> None:  # noqa: ANN001
    settings.TIME_ZONE = "Asia/Shanghai"  # periods are local days, Shanghai's


def _spend(world) -> None:  # noqa: ANN001
    """rep1 (team 1): 120 min on a key account, 60 on a possible one in March 2026, 30 in April;
    rep4 (team 2): 90 min on an unscored account in March."""
    Account.objects.filter(pk=world.account.pk).update(category="key")
    possible = Account.objects.create(name="潜力客户", owner=world.owner, category="possible")
    march = datetime(2026, 3, 2, 10, tzinfo=SHANGHAI)
    make_activity(world.account, march, participants=(world.owner,), duration_minutes=120)
    make_activity(possible, march, participants=(world.owner,), duration_minutes=60)
    make_activity(
        world.account, datetime(2026, 4, 1, 0, 30, tzinfo=SHANGHAI), participants=(world.owner,), duration_minutes=30
    )
    make_activity(world.other_account, march, participants=(world.other_rep,), duration_minutes=90)


def _minutes(row) -> dict:  # noqa: ANN001
    return {share.category: share.minutes for share in row.categories if share.minutes}


def test_minutes_per_category_per_rep_and_team_for_a_month(world) -> None:
    _spend(world)
    report = time_allocation(user=world.director, period="2026-03")
    assert _minutes(report.total) == {"key": 120, "possible": 60, "unscored": 90}
    reps = {row.label: row for row in report.per_rep}
    assert _minutes(reps["rep1"]) == {"key": 120, "possible": 60}
    assert reps["rep1"].total_minutes == 180
    key = reps["rep1"].categories[0]
    assert (key.category, key.share, key.guideline, key.verdict) == ("key", Decimal("66.7"), 60, "on")
    teams = {row.label: row for row in report.per_team}
    assert _minutes(teams["Team 1"]) == {"key": 120, "possible": 60}
    assert _minutes(teams["Team 2"]) == {"unscored": 90}
    # 00:30 on 1 April in Shanghai is in April (local days), and in the second quarter
    assert _minutes(time_allocation(user=world.director, period="2026-04").total) == {"key": 30}
    assert _minutes(time_allocation(user=world.director, period="2026-Q1").total)["key"] == 120


def test_the_minutes_come_from_one_grouped_query(world) -> None:
    _spend(world)
    with CaptureQueriesContext(connection) as queries:
        time_allocation(user=world.manager, period="2026")
    grouped = [q["sql"] for q in queries.captured_queries if "GROUP BY" in q["sql"]]
    assert len(grouped) == 1
    assert "SUM" in grouped[0]
    assert len(queries.captured_queries) == 2  # the people listed, and the minutes


def test_a_manager_sees_their_teams_reps_and_a_rep_only_themself(world) -> None:
    _spend(world)
    manager = time_allocation(user=world.manager, period="2026-03")
    assert "rep4" not in [row.label for row in manager.per_rep]
    assert {"rep1", "rep2", "rep3"} <= {row.label for row in manager.per_rep}
    assert [row.label for row in manager.per_team] == ["Team 1"]
    assert _minutes(manager.total) == {"key": 120, "possible": 60}
    rep = time_allocation(user=world.teammate, period="2026-03")
    assert [row.label for row in rep.per_rep] == ["rep2"]
    assert rep.total.total_minutes == 0
    one = time_allocation(user=world.manager, period="2026-03", scope=AllocationScope(owner=world.owner))
    assert [row.label for row in one.per_rep] == ["rep1"]


@pytest.mark.parametrize(
    ("person", "query", "status_code"),
    [
        ("manager", {"owner": "rep1"}, 200),
        ("manager", {"owner": "rep4"}, 404),  # another team's rep
        ("manager", {"team": "other"}, 404),
        ("owner", {"owner": "rep2"}, 404),  # a rep sees only themself
        ("owner", {"owner": "rep1"}, 200),
        ("other_manager", {"owner": "rep1"}, 404),
        ("director", {"owner": "rep4"}, 200),
        ("owner", {"owner": "nobody"}, 404),
    ],
)
def test_a_hidden_rep_or_team_answers_404(client, world, person, query, status_code) -> None:
    client.force_login(getattr(world, person))
    assert client.get(reverse("plans:time_allocation"), query).status_code == status_code
    assert client.get(reverse("plans:time_allocation_csv"), query).status_code == status_code


def test_a_hidden_team_answers_404(client, world) -> None:
    team1, team2 = world.owner.team, world.other_rep.team
    client.force_login(world.manager)
    assert client.get(reverse("plans:time_allocation"), {"team": team1.pk}).status_code == 200
    assert client.get(reverse("plans:time_allocation"), {"team": team2.pk}).status_code == 404


def test_the_page_shows_the_chart_data_the_table_and_the_guideline(client, world) -> None:
    _spend(world)
    client.force_login(world.manager)
    page = client.get(reverse("plans:time_allocation"), {"period": "2026-03"})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="time-allocation-data"' in html
    assert "time_allocation.js" in html
    assert page.context["chart"]["guideline"] == [60, 30, 10, None, None]
    assert page.context["chart"]["actual"][:3] == [66.7, 0, 33.3]
    assert reverse("plans:time_allocation") in client.get(reverse("plans:my_work")).content.decode()
    bad = client.get(reverse("plans:time_allocation"), {"period": "2026-13"}, follow=True)
    assert "A period is a year" in bad.content.decode()


def test_the_csv_quotes_a_name_excel_would_run_as_a_formula(client, world) -> None:
    _spend(world)
    world.owner.first_name, world.owner.last_name = "=HYPERLINK(1)", ""
    world.owner.save()
    world.owner.team.name = "=cmd"
    world.owner.team.save()
    client.force_login(world.manager)
    response = client.get(reverse("plans:time_allocation_csv"), {"period": "2026-03"})
    rows = csv_download(response)
    assert rows[0][:4] == ["level", "name", "team", "category"]
    names = {row[1] for row in rows[1:]} | {row[2] for row in rows[1:]}
    assert not any(name.startswith("=") for name in names)
    assert "'=cmd" in names
    key_total = next(row for row in rows if row[0] == "total" and row[3] == "key")
    assert key_total[4:8] == ["120", "66.7", "60", "6.7"]


def test_the_api_answers_the_callers_scope(world) -> None:
    _spend(world)
    manager = token_client(world.manager)
    body = manager.get("/api/v1/time-allocation/", {"period": "2026-03"}).json()
    assert body["period"] == "2026-03"
    assert {row["category"]: row["minutes"] for row in body["total"]["categories"]}["key"] == 120
    assert "rep4" not in [row["name"] for row in body["per_rep"]]
    assert manager.get("/api/v1/time-allocation/", {"owner": "rep4"}).status_code == 404
    assert manager.get("/api/v1/time-allocation/", {"period": "2026-Q5"}).status_code == 400
    team = manager.get("/api/v1/time-allocation/", {"period": "2026-03", "team": world.owner.team_id}).json()
    assert [row["name"] for row in team["per_team"]] == ["Team 1"]
