import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import make_account
from tiering.domain.config import FACTORS
from tiering.models import Assessment, ScoringRun, TieringConfigVersion, TierOverride
from tiering.services import config_current
from tiering.tests.factories import build_tiered_world, make_run

pytestmark = pytest.mark.django_db


WINDOW_DAYS_ERROR = "window_days: must be >= 1, got 0"


def migration_cells(page: str) -> dict[tuple[str, str], int]:
    """The non-empty cells of the page's migration table, as (from tier, to tier) -> accounts."""
    table = page.split('id="migration">')[1].split("</table>")[0]
    targets = re.findall(r"<th>([A-C][1-6])</th>", table.split("</thead>")[0])
    cells = {}
    for row in re.findall(r"<tr><th>(.*?)</th>(.*?)</tr>", table.split("<tbody>")[1]):
        for target, count in zip(targets, re.findall(r"<td[^>]*>(\d*)</td>", row[1]), strict=True):
            if count:
                cells[(row[0], target)] = int(count)
    return cells


@pytest.fixture
def tiered(db):  # noqa: ANN001, ANN201
    return build_tiered_world(amounts=("5000.00", "10000.00"))


def test_account_page_shows_the_tier_card_with_strategy_and_reasons(client, tiered) -> None:
    client.force_login(tiered.owner)
    page = client.get(reverse("accounts:detail", args=[tiered.account.pk])).content.decode()
    assert 'id="tier-card"' in page
    assert tiered.account.tier in page
    assert "Provisional: not assessed yet" in page
    assert "Strategy" in page
    assert 'id="tier-reasons"' in page


def test_matrix_counts_only_visible_accounts(client, tiered) -> None:
    client.force_login(tiered.owner)
    page = client.get(reverse("tiering:matrix")).content.decode()
    data = json.loads(page.split('id="matrix-data" type="application/json">')[1].split("</script>")[0])
    assert sum(cell[2] for cell in data) == 1  # the other team's account is not counted
    client.force_login(tiered.director)
    page = client.get(reverse("tiering:matrix")).content.decode()
    data = json.loads(page.split('id="matrix-data" type="application/json">')[1].split("</script>")[0])
    assert sum(cell[2] for cell in data) == 2
    assert f'href="/accounts/?tier={tiered.account.tier}"' in page


def test_assessment_form_saves_and_leaves_the_needs_list(client, tiered) -> None:
    client.force_login(tiered.owner)
    assert "华东精密机械" in client.get(reverse("tiering:needs_assessment")).content.decode()
    form = dict.fromkeys(FACTORS, "A")
    bad = client.post(reverse("tiering:assess", args=[tiered.account.pk]), {**form, "prospects_rating": "9"})
    assert bad.status_code == 200
    assert "error-prospects_rating" in bad.content.decode()
    assert not Assessment.objects.exists()
    ok = client.post(reverse("tiering:assess", args=[tiered.account.pk]), {**form, "prospects_rating": "4"})
    assert ok.status_code == 302
    assert "华东精密机械" not in client.get(reverse("tiering:needs_assessment")).content.decode()
    make_run()
    tiered.account.refresh_from_db()
    assert tiered.account.tier == "A4"  # was B4: assessed A, position unchanged


def test_assessing_a_hidden_account_is_404(client, tiered) -> None:
    client.force_login(tiered.owner)
    assert client.get(reverse("tiering:assess", args=[tiered.other_account.pk])).status_code == 404


def test_only_managers_may_pin_a_tier(client, tiered) -> None:
    until = (timezone.localdate() + timedelta(days=30)).isoformat()
    form = {"tier": "B2", "reason": "Key reference customer", "expires_on": until}
    client.force_login(tiered.owner)
    assert client.post(reverse("tiering:override", args=[tiered.account.pk]), form).status_code == 403
    client.force_login(tiered.manager)
    pinned = client.post(reverse("tiering:override", args=[tiered.account.pk]), form)
    assert (pinned.status_code, pinned["Location"]) == (302, reverse("accounts:detail", args=[tiered.account.pk]))
    assert TierOverride.objects.get().tier == "B2"
    past = {**form, "expires_on": "2000-01-01"}
    response = client.post(reverse("tiering:override", args=[tiered.account.pk]), past, follow=True)
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [
        "Tier pinned; the next run will respect it.",  # the first post's, shown on this first page
        "Tier not pinned: Until: The expiry must be today or later.",
    ]
    assert TierOverride.objects.count() == 1


def test_director_edits_settings_as_a_new_version_with_clear_errors(client, tiered) -> None:
    client.force_login(tiered.owner)
    assert client.get(reverse("tiering:settings")).status_code == 403
    client.force_login(tiered.director)
    before = config_current()
    data = dict(before.data, window_days=0)
    response = client.post(reverse("tiering:settings"), {"data": json.dumps(data)})
    assert response.status_code == 200
    assert response.context["form"].errors == {"data": [WINDOW_DAYS_ERROR]}
    assert TieringConfigVersion.objects.count() == 1
    data["window_days"] = 180
    saved = client.post(reverse("tiering:settings"), {"data": json.dumps(data), "note": "half-year window"})
    assert (saved.status_code, saved["Location"]) == (302, reverse("tiering:settings"))
    assert TieringConfigVersion.objects.count() == 2
    assert (config_current().data["window_days"], config_current().note) == (180, "half-year window")
    assert ScoringRun.objects.get().config == before  # the past run keeps its version


def test_migration_report_counts_moves_between_runs(client, tiered) -> None:
    make_account(tiered.owner, name="新客户")
    second = make_run()
    first = ScoringRun.objects.exclude(pk=second.pk).get()
    client.force_login(tiered.director)
    response = client.get(reverse("tiering:migration"), {"from": first.pk, "to": second.pk})
    assert response.status_code == 200
    # the two accounts stay where they were; the new one comes from "untiered" (–) into B6
    assert migration_cells(response.content.decode()) == {("–", "B6"): 1, ("B4", "B4"): 1, ("B2", "B2"): 1}


def test_director_can_queue_a_run_from_the_page(client, tiered, django_capture_on_commit_callbacks) -> None:
    client.force_login(tiered.owner)
    assert client.post(reverse("tiering:runs")).status_code == 403
    client.force_login(tiered.director)
    with django_capture_on_commit_callbacks(execute=True):
        queued = client.post(reverse("tiering:runs"))
    assert (queued.status_code, queued["Location"]) == (302, reverse("tiering:runs"))
    assert ScoringRun.objects.count() == 2
    assert ScoringRun.objects.order_by("-id").first().status == ScoringRun.Status.SUCCEEDED
