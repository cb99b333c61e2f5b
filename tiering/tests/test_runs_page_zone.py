"""The runs page says when the nightly run fires, and in which time zone (issue 14.1)."""

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_the_runs_page_states_the_nightly_time_with_its_zone(client, world, settings) -> None:  # noqa: ANN001
    # given a business in Berlin whose nightly run fires at 01:15
    settings.TIME_ZONE = "Europe/Berlin"
    settings.TIERING_NIGHTLY_AT = "01:15"
    client.force_login(world.owner)
    # when anyone opens the runs page
    page = client.get(reverse("tiering:runs")).content.decode()
    # then the time carries its zone
    assert (
        '<p class="text-muted small" id="nightly">Every night at 01:15 (Europe/Berlin); '
        "times below are in Europe/Berlin.</p>"
    ) in page
