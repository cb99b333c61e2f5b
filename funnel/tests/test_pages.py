"""The funnel's pages: board (move by menu or htmx, inline edit), an opportunity's page, new
opportunity, the director's stage defaults and the dashboard's CSV exports."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from funnel.models import Opportunity, StageChange, StageDefault
from funnel.tests.factories import make_opportunity
from kam.testing import csv_download

pytestmark = pytest.mark.django_db


def test_the_board_puts_cards_in_their_stage_columns_and_lists_them_for_phones(client, world) -> None:  # noqa: ANN001
    make_opportunity(world.account, name="Retrofit A", stage="proposal")
    client.force_login(world.owner)
    page = client.get(reverse("funnel:board")).content.decode()
    column = page.index('data-stage="proposal"')
    assert page.index("Retrofit A") > column
    assert page.index("Retrofit A") < page.index('data-stage="negotiation"')
    assert 'id="pipeline-list"' in page


def test_moving_a_card_with_htmx_answers_the_card_and_records_the_change(client, world) -> None:  # noqa: ANN001
    deal = make_opportunity(world.account, stage="proposal")
    client.force_login(world.owner)
    answer = client.post(reverse("funnel:move", args=[deal.pk]), {"stage": "negotiation"}, HTTP_HX_REQUEST="true")
    assert (answer.status_code, f'id="card-{deal.pk}"' in answer.content.decode()) == (200, True)
    assert '<option value="negotiation" selected>' in answer.content.decode()
    assert list(StageChange.objects.filter(opportunity=deal).values_list("to_stage", flat=True)) == [
        "proposal",
        "negotiation",
    ]


def test_an_unknown_stage_changes_nothing(client, world) -> None:  # noqa: ANN001
    deal = make_opportunity(world.account, stage="proposal")
    client.force_login(world.owner)
    assert client.post(reverse("funnel:move", args=[deal.pk]), {"stage": "won"}).status_code == 400
    assert Opportunity.objects.get(pk=deal.pk).stage == "proposal"


def test_inline_edit_saves_the_five_fields_and_an_empty_probability_clears_the_override(client, world) -> None:  # noqa: ANN001
    deal = make_opportunity(world.account, stage="proposal", probability_override=80)
    client.force_login(world.owner)
    url = reverse("funnel:card_edit", args=[deal.pk])
    form = client.get(url).content.decode()
    assert 'name="probability_override" value="80"' in form
    answer = client.post(
        url,
        {
            "amount": "12345.60",
            "expected_close_date": "2026-09-01",
            "probability_override": "",
            "category_override": "commit",
            "next_step": "Meet the CFO",
        },
    )
    assert answer.status_code == 200
    stored = Opportunity.objects.get(pk=deal.pk)
    assert (stored.amount, stored.expected_close_date, stored.probability_override, stored.probability) == (
        Decimal("12345.60"),
        date(2026, 9, 1),
        None,
        50,
    )
    assert (stored.forecast_category, stored.next_step) == ("commit", "Meet the CFO")


def test_an_invalid_inline_edit_shows_the_form_again(client, world) -> None:  # noqa: ANN001
    deal = make_opportunity(world.account, amount="100.00")
    client.force_login(world.owner)
    answer = client.post(reverse("funnel:card_edit", args=[deal.pk]), {"amount": "-1", "probability_override": "101"})
    assert answer.status_code == 400
    assert Opportunity.objects.get(pk=deal.pk).amount == Decimal("100.00")


def test_a_new_opportunity_from_the_page(client, world) -> None:  # noqa: ANN001
    client.force_login(world.owner)
    answer = client.post(
        reverse("funnel:create"),
        {
            "account": world.account.pk,
            "name": "Line 4",
            "amount": "5000",
            "stage": "first_contact",
            "owner": world.owner.pk,
        },
    )
    deal = Opportunity.objects.get()
    assert (answer.status_code, answer.url) == (302, reverse("funnel:detail", args=[deal.pk]))
    assert (deal.name, deal.probability, deal.forecast_category) == ("Line 4", 10, "pipeline")


def test_the_new_opportunity_form_offers_only_visible_accounts(client, world) -> None:  # noqa: ANN001
    client.force_login(world.owner)
    answer = client.post(reverse("funnel:create"), {"account": world.other_account.pk, "name": "x", "amount": "1"})
    assert answer.status_code == 200
    assert Opportunity.objects.count() == 0


def test_the_detail_page_shows_the_stage_history(client, world) -> None:  # noqa: ANN001
    deal = make_opportunity(world.account, stage="proposal")
    client.force_login(world.owner)
    client.post(reverse("funnel:move", args=[deal.pk]), {"stage": "lost"})
    page = client.get(reverse("funnel:detail", args=[deal.pk])).content.decode()
    history = page[page.index('id="stage-history"') :]
    assert history.index("Proposal submitted") < history.index("Lost")


@pytest.mark.parametrize(("person", "status"), [("director", 200), ("manager", 403), ("owner", 403)])
def test_only_directors_open_the_stage_defaults(client, world, person, status) -> None:  # noqa: ANN001
    client.force_login(getattr(world, person))
    assert client.get(reverse("funnel:stage_defaults")).status_code == status
    posted = client.post(
        reverse("funnel:stage_defaults"),
        {"first_contact": 5, "needs_understood": 20, "proposal": 45, "negotiation": 70},
    )
    assert posted.status_code == (302 if status == 200 else 403)
    assert StageDefault.objects.count() == (4 if status == 200 else 0)


def test_each_dashboard_chart_exports_its_table(client, world) -> None:  # noqa: ANN001
    make_opportunity(world.account, stage="negotiation", amount="1000.00")
    client.force_login(world.owner)
    answer = client.get(reverse("funnel:dashboard_csv", args=["funnel"]), {"quarter": "2026-Q3"})
    rows = csv_download(answer)
    assert rows[0] == ["stage", "count", "amount", "weighted"]
    assert rows[4] == ["Negotiation", "1", "1000.00", "750.00"]
    for chart in ("weighted", "forecast", "stalled", "whitespace"):
        assert client.get(reverse("funnel:dashboard_csv", args=[chart])).status_code == 200
    assert client.get(reverse("funnel:dashboard_csv", args=["secrets"])).status_code == 404


def test_a_chart_export_keeps_a_formula_like_name_as_text(client, world) -> None:  # noqa: ANN001
    from accounts.models import Account

    # given: a key account with no open deal, named like a spreadsheet formula
    Account.objects.filter(pk=world.account.pk).update(name='=HYPERLINK("http://x")', category="key", tier="A1")
    client.force_login(world.owner)
    # when
    answer = client.get(reverse("funnel:dashboard_csv", args=["whitespace"]))
    # then: the same guard as every other CSV export (integrations/spreadsheets/exporting.py)
    rows = csv_download(answer)
    assert rows == [["account", "tier", "owner"], ['\'=HYPERLINK("http://x")', "A1", "rep1"]]


def test_a_rep_commits_and_the_manager_adjusts_beside_it(client, world) -> None:  # noqa: ANN001
    from funnel.models import Commitment

    client.force_login(world.owner)
    client.post(reverse("funnel:commit"), {"quarter": "2026-Q3", "amount": "200000"})
    commitment = Commitment.objects.get()
    client.force_login(world.other_manager)
    assert client.post(reverse("funnel:commit_adjust", args=[commitment.pk]), {"amount": "1"}).status_code == 404
    client.force_login(world.manager)
    client.post(reverse("funnel:commit_adjust", args=[commitment.pk]), {"amount": "150000"})
    page = client.get(reverse("funnel:dashboard"), {"quarter": "2026-Q3"}).content.decode()
    table = page[page.index('id="table-commitments"') :]
    assert "<td>200000.00</td><td>150000.00</td>" in table.replace("\n", "")
    stored = Commitment.objects.get()
    assert (stored.amount, stored.manager_amount) == (Decimal("200000.00"), Decimal("150000.00"))


def test_the_stage_defaults_show_the_data_driven_probability(client, world) -> None:  # noqa: ANN001
    won = make_opportunity(world.account, stage="proposal")
    make_opportunity(world.account, stage="proposal")
    client.force_login(world.owner)
    client.post(reverse("funnel:move", args=[won.pk]), {"stage": "signed"})
    client.force_login(world.director)
    page = client.get(reverse("funnel:stage_defaults")).content.decode()
    assert "Data-driven: 0.5000 of 2 that reached this stage" in page


def test_receivables_ageing_buckets_days_overdue(client, world) -> None:  # noqa: ANN001
    from datetime import timedelta

    from django.utils import timezone

    from accounts.tests.factories import make_payment

    today = timezone.localdate()
    for days, amount in ((-5, "1.00"), (0, "2.00"), (1, "10.00"), (30, "20.00"), (31, "100.00"), (90, "1000.00"),
                         (91, "10000.00")):  # fmt: skip
        make_payment(world.account, amount, due_on=today - timedelta(days=days))
    make_payment(world.account, "99999.00", due_on=today - timedelta(days=200), paid_on=today)  # paid
    make_payment(world.other_account, "55555.00", due_on=today - timedelta(days=10))  # another team
    client.force_login(world.manager)
    rows = csv_download(client.get(reverse("funnel:dashboard_csv", args=["ageing"])))
    assert rows == [
        ["owner", "current", "1-30", "31-60", "61-90", "over 90", "total"],
        ["rep1", "3.00", "30.00", "100.00", "1000.00", "10000.00", "11133.00"],
    ]


def test_the_dashboard_filters_by_region_industry_and_tier(client, world) -> None:  # noqa: ANN001
    from accounts.models import Account

    Account.objects.filter(pk=world.account.pk).update(region="East China", industry="Machinery", tier="A1")
    make_opportunity(world.account, stage="negotiation", amount="1000.00")
    client.force_login(world.owner)
    url = reverse("funnel:dashboard_csv", args=["funnel"])

    def negotiation(**filters: str) -> list[str]:
        return csv_download(client.get(url, filters))[4]

    assert negotiation(region="East China", industry="Machinery", tier="A1") == [
        "Negotiation",
        "1",
        "1000.00",
        "750.00",
    ]
    assert negotiation(region="North China") == ["Negotiation", "0", "0.00", "0.00"]
    assert negotiation(tier="B2") == ["Negotiation", "0", "0.00", "0.00"]


def test_the_data_driven_forecast_uses_the_stages_win_rates(client, world) -> None:  # noqa: ANN001
    # given two proposals of which one is won, and an open negotiation
    won = make_opportunity(world.account, stage="proposal", amount="3000.00")
    make_opportunity(world.account, stage="proposal", amount="2000.00", expected_close_date=date(2026, 8, 1))
    make_opportunity(world.account, stage="negotiation", amount="7000.00", expected_close_date=date(2026, 8, 1))
    client.force_login(world.owner)
    client.post(reverse("funnel:move", args=[won.pk]), {"stage": "signed"})
    Opportunity.objects.filter(pk=won.pk).update(closed_at=date(2026, 7, 20))
    # when the 2026-Q3 dashboard opens
    page = client.get(reverse("funnel:dashboard"), {"quarter": "2026-Q3"}).content.decode()
    # then 3,000 won + 2,000 × 0.5 (proposal: 1 of 2 won) + 7,000 × 0 (negotiation: 0 of 1 won;
    # the won deal went from proposal straight to signed)
    assert '<span id="figure-data-driven">4000.00</span>' in page
