"""The visit completion rate per rep and team (page, chart data, CSV) and who sees whose; the
director's visit intervals per category; "not visited for too long" on "my work"."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account
from kam.testing import csv_download
from plans.models import Visit, VisitCategoryInterval, VisitInterval
from plans.services import visits_generate
from plans.tests.factories import make_activity

pytestmark = pytest.mark.django_db


def _last_month() -> tuple[str, date]:
    first = timezone.localdate().replace(day=1) - timedelta(days=1)
    return first.strftime("%Y-%m"), first.replace(day=1)


def _visits(world) -> tuple[str, date]:  # noqa: ANN001
    """Last month: rep1 did 3 of 4 due (one skipped), rep2 missed 1, rep4 (the other team) did 1."""
    period, first = _last_month()
    for day, status in [(1, "done"), (2, "done"), (3, "done"), (4, "skipped")]:
        Visit.objects.create(account=world.account, owner=world.owner, planned_on=first.replace(day=day), status=status)
    Visit.objects.create(account=world.account, owner=world.teammate, planned_on=first.replace(day=5))
    Visit.objects.create(account=world.other_account, owner=world.other_rep, planned_on=first, status="done")
    return period, first


def _figures(rows) -> dict[str, tuple]:  # noqa: ANN001
    return {str(row.who): (row.figures.due, row.figures.done, row.figures.rate) for row in rows}


def test_a_rep_sees_their_own_rate_and_another_rep_answers_404(client, world) -> None:
    # given last month's visits of three reps in two teams
    period, _first = _visits(world)
    client.force_login(world.owner)
    # when rep1 opens the rates for that month
    response = client.get(reverse("plans:visit_rates"), {"period": period})
    # then only their own figures show, no team
    rates = response.context["rates"]
    assert _figures(rates.per_rep) == {"rep1": (4, 3, Decimal("0.7500"))}
    assert rates.per_team == []
    assert response.context["chart"] == [{"rep": "rep1", "rate": 75.0}]
    # and a teammate or another team's rep is 404, page and CSV alike
    for rep in (world.teammate, world.other_rep):
        assert client.get(reverse("plans:visit_rates"), {"rep": rep.pk}).status_code == 404
        assert client.get(reverse("plans:visit_rates_csv"), {"rep": rep.pk}).status_code == 404
    assert client.get(reverse("plans:visit_rates"), {"rep": "x"}).status_code == 404


def test_a_manager_sees_their_teams_reps_and_a_director_everyone(client, world) -> None:
    period, _first = _visits(world)
    client.force_login(world.manager)
    rates = client.get(reverse("plans:visit_rates"), {"period": period}).context["rates"]
    assert _figures(rates.per_rep) == {
        "manager1": (0, 0, None),
        "rep1": (4, 3, Decimal("0.7500")),
        "rep2": (1, 0, Decimal("0.0000")),
        "rep3": (0, 0, None),
    }
    assert _figures(rates.per_team) == {"Team 1": (5, 3, Decimal("0.6000"))}
    assert client.get(reverse("plans:visit_rates"), {"rep": world.other_rep.pk}).status_code == 404
    one = client.get(reverse("plans:visit_rates"), {"period": period, "rep": world.teammate.pk}).context["rates"]
    assert _figures(one.per_rep) == {"rep2": (1, 0, Decimal("0.0000"))}
    client.force_login(world.director)
    rates = client.get(reverse("plans:visit_rates"), {"period": period}).context["rates"]
    assert _figures(rates.per_team) == {"Team 1": (5, 3, Decimal("0.6000")), "Team 2": (1, 1, Decimal("1.0000"))}


def test_a_quarter_a_malformed_period_and_the_current_month_by_default(client, world) -> None:
    _visits(world)
    client.force_login(world.owner)
    today = timezone.localdate()
    default = client.get(reverse("plans:visit_rates")).context["rates"]
    assert default.period == today.strftime("%Y-%m")
    bad = client.get(reverse("plans:visit_rates"), {"period": "2026-13"}, follow=True)
    assert bad.context["rates"].period == today.strftime("%Y-%m")
    assert "A period is a month (2026-11) or a quarter (2026-Q4)." in bad.content.decode()
    quarter = client.get(reverse("plans:visit_rates"), {"period": "2026-Q4"}).context["rates"]
    assert (quarter.start, quarter.end) == (date(2026, 10, 1), date(2026, 12, 31))


def test_the_csv_has_teams_then_reps_and_keeps_a_formula_name_as_text(client, world) -> None:
    period, _first = _visits(world)
    world.owner.first_name = "=HYPERLINK(1)"
    world.owner.save()
    client.force_login(world.manager)
    response = client.get(reverse("plans:visit_rates_csv"), {"period": period})
    assert response["Content-Disposition"] == f'attachment; filename="visit-rates-{period}.csv"'
    rows = csv_download(response)
    assert rows[0] == ["Level", "Name", "Team", "Due", "Done", "Skipped", "Missed", "Completion rate"]
    assert rows[1] == ["Team", "Team 1", "", "5", "3", "1", "1", "0.6000"]
    assert ["Rep", "'=HYPERLINK(1)", "Team 1", "4", "3", "1", "0", "0.7500"] in rows
    assert len(rows) == 1 + 1 + 4


def test_a_director_sets_the_interval_per_category_and_the_next_visits_follow(client, world) -> None:
    # given a key account last visited 20 days ago
    today = timezone.localdate()
    Account.objects.filter(pk=world.account.pk).update(category="key")
    Account.objects.filter(pk=world.other_account.pk).update(category="normal")
    moment = timezone.make_aware(datetime.combine(today - timedelta(days=20), time(10)))
    make_activity(world.account, moment, type="visit")
    url = reverse("plans:visit_intervals")
    # a manager may not change the intervals
    client.force_login(world.manager)
    assert client.post(url, {"key": 14, "normal": 60, "possible": 90, "unattractive": 180}).status_code == 403
    assert not VisitCategoryInterval.objects.exists()
    # a value out of range is refused and nothing is saved
    client.force_login(world.director)
    refused = client.post(url, {"key": 0, "normal": 60, "possible": 90, "unattractive": 180})
    assert refused.context["form"].errors == {"key": ["Ensure this value is greater than or equal to 1."]}
    assert not VisitCategoryInterval.objects.exists()
    # when the director plans key accounts every 14 days
    assert client.get(url).context["form"]["key"].initial == 30
    client.post(url, {"key": 14, "normal": 60, "possible": 90, "unattractive": 180})
    assert dict(VisitCategoryInterval.objects.values_list("category", "interval_days"))["key"] == 14
    # then the key account is due today (20 > 14 days), and shows as not visited for too long
    visits_generate(today=today)
    assert Visit.objects.get(account=world.account).planned_on == today
    client.force_login(world.owner)
    [group] = client.get(reverse("plans:my_work")).context["not_visited"]
    assert (group.category, group.label, group.interval_days, group.total) == ("key", "Key account", 14, 1)
    assert [(row.account, row.days_since) for row in group.rows] == [(world.account, 20)]


def test_not_visited_for_too_long_per_category_for_a_rep_and_their_manager(client, world) -> None:
    # given rep1's key account last visited 40 days ago (a skipped visit later is no visit),
    # and their normal account never visited, but visited within its own interval of 90 days
    today = timezone.localdate()
    Account.objects.filter(pk=world.account.pk).update(category="key")
    moment = timezone.make_aware(datetime.combine(today - timedelta(days=40), time(10)))
    make_activity(world.account, moment, type="visit")
    make_activity(world.account, moment + timedelta(days=30), type="call")  # a call is no visit
    Visit.objects.create(account=world.account, owner=world.owner, planned_on=today, status="skipped", reason="x")
    fresh = Account.objects.create(owner=world.owner, name="常州轴承", category="normal")
    make_activity(fresh, moment, type="visit")
    VisitInterval.objects.create(account=fresh, interval_days=90)
    never = Account.objects.create(owner=world.owner, name="无锡电机", category="normal")
    Account.objects.filter(pk=world.other_account.pk).update(category="key")  # another team's
    # when rep1 and their manager open "my work"
    client.force_login(world.owner)
    mine = client.get(reverse("plans:my_work"))
    # then the key account (40 > 30 days) and the never-visited normal one show, per category
    summary = [
        (g.category, g.total, [(r.account.name, r.last_visit, r.days_since) for r in g.rows])
        for g in mine.context["not_visited"]
    ]
    assert summary == [
        ("key", 1, [("华东精密机械", today - timedelta(days=40), 40)]),
        ("normal", 1, [(never.name, None, None)]),
    ]
    assert "never visited" in mine.content.decode()
    client.force_login(world.manager)
    theirs = client.get(reverse("plans:my_work")).context["not_visited"]
    assert [(g.category, g.total) for g in theirs] == [("key", 1), ("normal", 1)]
    client.force_login(world.director)
    assert client.get(reverse("plans:my_work")).context["not_visited"] == []


def test_the_account_page_shows_the_rhythm_and_an_account_interval_overrides_its_category(client, world) -> None:
    # given a key account visited 40 days ago, with a planned visit
    today = timezone.localdate()
    Account.objects.filter(pk=world.account.pk).update(category="key")
    make_activity(
        world.account, timezone.make_aware(datetime.combine(today - timedelta(days=40), time(10))), type="visit"
    )
    visit = Visit.objects.create(account=world.account, owner=world.owner, planned_on=today)
    client.force_login(world.owner)
    page = client.get(reverse("accounts:detail", args=[world.account.pk]))
    visits = page.context["plans"].visits
    assert (visits.interval_days, visits.own_interval, visits.last_visit, visits.too_long, visits.planned) == (
        30,
        None,
        today - timedelta(days=40),
        True,
        [visit],
    )
    assert reverse("plans:check_in", args=[visit.pk]) in page.content.decode()
    # when the rep sets this account's own interval to 60 days
    url = reverse("plans_account:visit_interval", args=[world.account.pk])
    assert client.post(url, {"interval_days": "0"}).context["form"].errors == {
        "interval_days": ["Ensure this value is greater than or equal to 1."]
    }
    client.post(url, {"interval_days": "60"})
    # then it is no longer visited too long, on the page and on "my work"
    visits = client.get(reverse("accounts:detail", args=[world.account.pk])).context["plans"].visits
    assert (visits.interval_days, visits.own_interval, visits.too_long) == (60, 60, False)
    assert client.get(reverse("plans:my_work")).context["not_visited"] == []
    # and emptied, the category's applies again
    client.post(url, {"interval_days": ""})
    assert not VisitInterval.objects.exists()
    # another team's account answers 404 and keeps its interval
    other = reverse("plans_account:visit_interval", args=[world.other_account.pk])
    assert client.post(other, {"interval_days": "5"}).status_code == 404
    assert not VisitInterval.objects.exists()


VISIT_WORDS = ("Visit", "visit", "Due", "Done", "Skipped", "Missed", "Rate", "Interval", "days", "All reps", "Per ")


def test_the_visit_pages_read_in_chinese(client, world) -> None:
    from tests.test_i18n import visible_text

    period, _first = _visits(world)
    Account.objects.filter(pk=world.account.pk).update(category="key")
    pages = {
        world.manager: [
            reverse("plans:visit_rates") + f"?period={period}",
            reverse("plans:my_work"),
            reverse("accounts:detail", args=[world.account.pk]),
            reverse("plans_account:visit_interval", args=[world.account.pk]),
        ],
        world.director: [reverse("plans:visit_intervals")],
    }
    found = {}
    for user, urls in pages.items():
        client.force_login(user)
        for url in urls:
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
            assert response.status_code == 200, url
            text = visible_text(response.content.decode())
            found[url] = [word for word in VISIT_WORDS if word in text]
            assert "拜访" in text, url  # (the page did render in Chinese)
    assert found == {url: [] for urls in pages.values() for url in urls}


def test_not_visited_asks_two_queries_however_many_accounts(world, django_assert_num_queries) -> None:
    from plans.selectors import not_visited

    for i in range(45):
        Account.objects.create(owner=world.owner, name=f"客户{i:02d}", category="key" if i % 2 else "normal")
    with django_assert_num_queries(2):  # the intervals; the rows shown with their accounts' names and owners
        groups = not_visited(user=world.owner)
        shown = [(str(row.account.owner), row.account.owner_id) for g in groups for row in g.rows]
    # every one never visited: all counted, at most 20 shown per category, by name
    assert [(g.category, g.total, len(g.rows)) for g in groups] == [("key", 22, 20), ("normal", 23, 20), ("", 1, 1)]
    assert groups[2].label == "Not placed yet"
    assert [row.account.name for row in groups[0].rows][:2] == ["客户01", "客户03"]
    assert set(shown) == {(str(world.owner), world.owner.pk)}
