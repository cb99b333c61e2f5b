"""Starting a run: one service (`run_start`) behind the page and the API; it queues the run and
hands it to the worker only once the transaction commits."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from kam.testing import token_client
from tiering import services
from tiering.models import ScoringRun
from tiering.tasks import execute_run

pytestmark = pytest.mark.django_db


def test_run_start_queues_a_run_and_enqueues_it_only_on_commit(
    world, django_capture_on_commit_callbacks, monkeypatch
) -> None:  # noqa: ANN001
    # given a watch on what is sent to the worker
    sent: list[int] = []
    monkeypatch.setattr(execute_run, "delay", sent.append)
    # when a run is started
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = services.run_start(trigger="user director", as_of=date(2026, 6, 30))
    # then it is queued, and nothing was sent while the transaction was open
    assert (run.status, run.as_of, run.trigger) == (ScoringRun.Status.QUEUED, date(2026, 6, 30), "user director")
    assert sent == []
    # and the commit sends it once
    assert len(callbacks) == 1
    callbacks[0]()
    assert sent == [run.pk]


def test_the_page_and_the_api_start_runs_through_the_service(
    client, world, service_calls, django_capture_on_commit_callbacks
) -> None:  # noqa: ANN001
    # given a watch on the service
    calls = service_calls(services, "run_start")
    # when the director starts a run on the page and another over the API
    client.force_login(world.director)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(reverse("tiering:runs"))
        api = token_client(world.director).post("/api/v1/tiering/runs/", {"as_of": "2026-06-30"}, format="json")
    # then both went through the service, and both runs were executed after commit
    assert (page.status_code, api.status_code) == (302, 202)
    assert calls == [{"trigger": "user director"}, {"as_of": date(2026, 6, 30), "trigger": "api director"}]
    runs = list(ScoringRun.objects.order_by("id").values_list("trigger", "status"))
    assert runs == [("user director", "succeeded"), ("api director", "succeeded")]


def test_a_refused_start_calls_no_service(client, world, service_calls) -> None:  # noqa: ANN001
    calls = service_calls(services, "run_start")
    client.force_login(world.manager)
    assert client.post(reverse("tiering:runs")).status_code == 403
    assert token_client(world.manager).post("/api/v1/tiering/runs/", {}, format="json").status_code == 403
    assert calls == []
    assert not ScoringRun.objects.exists()
