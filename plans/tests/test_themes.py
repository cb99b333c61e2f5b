"""Sales themes: written for an account and kept in the shared library, or picked from it."""

import pytest
from django.urls import reverse

from kam.testing import token_client
from plans.models import SalesTheme, ThemeLibraryEntry

pytestmark = pytest.mark.django_db
THEME = {"problem": "交期不稳定", "feature": "区域仓备货", "benefit": "48小时到货", "proof": "某汽车厂案例"}


def test_a_theme_saved_to_the_library_can_be_picked_for_another_account(client, world) -> None:
    # given the owner writes a theme for their account and keeps it in the library
    client.force_login(world.owner)
    response = client.post(
        reverse("plans_account:theme_add", args=[world.account.pk]), {**THEME, "save_to_library": "on"}
    )
    assert response.status_code == 302
    entry = ThemeLibraryEntry.objects.get()
    assert (entry.problem, entry.created_by) == ("交期不稳定", world.owner)
    # when another rep picks it for their account
    client.force_login(world.other_rep)
    client.post(reverse("plans_account:theme_add", args=[world.other_account.pk]), {"source": entry.pk})
    # then both accounts have it, from one library entry, each seen only by its own people
    themes = SalesTheme.objects.order_by("id")
    assert [(t.account, t.benefit, t.source) for t in themes] == [
        (world.account, "48小时到货", entry),
        (world.other_account, "48小时到货", entry),
    ]
    page = client.get(f"/accounts/{world.other_account.pk}/")
    assert [t.problem for t in page.context["plans"].themes] == ["交期不稳定"]
    assert [row["account"] for row in token_client(world.other_rep).get("/api/v1/sales-themes/").json()["results"]] == [
        world.other_account.pk
    ]


def test_a_theme_needs_its_parts_or_a_library_pick(client, world) -> None:
    client.force_login(world.owner)
    response = client.post(reverse("plans_account:theme_add", args=[world.account.pk]), {"problem": "价格高"})
    assert set(response.context["form"].errors) == {"feature", "benefit"}
    assert client.post(reverse("plans_account:theme_add", args=[world.other_account.pk]), THEME).status_code == 404
    assert not SalesTheme.objects.exists()
