"""Webhooks reach public addresses only: checked when subscribing (form, API, services) and at
every delivery on the address the name resolves to then (issue 13 item 6).

DNS is the edge of the world: names resolve through a patched `_resolve`. Deliveries go over
real sockets to real local servers, with 127.0.0.1 *not* on the allow-list here, so that a
request reaching them would prove the rule broken.
"""

from __future__ import annotations

import ipaddress
import socket
import threading

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from integrations.webhooks import destinations, services
from integrations.webhooks.destinations import address_refusal, destination_check
from integrations.webhooks.models import WebhookDelivery, WebhookSubscription
from kam.testing import Receiver, token_client

LOOPBACK = "a loopback address"
METADATA = "a cloud metadata address"
LINK_LOCAL = "a link-local address"
UNSPECIFIED = "the unspecified address"
MULTICAST = "a multicast address"
PRIVATE = "a private address (allowed only with WEBHOOK_ALLOW_PRIVATE_NETWORKS)"
RESERVED = "a reserved address, not a public one"

KINDS = [
    ("127.0.0.1", LOOPBACK),
    ("127.45.6.7", LOOPBACK),
    ("::1", LOOPBACK),
    ("::ffff:127.0.0.1", LOOPBACK),  # IPv4-mapped
    ("2002:7f00:1::", LOOPBACK),  # 6to4 around 127.0.0.1
    ("169.254.169.254", METADATA),
    ("fd00:ec2::254", METADATA),
    ("100.100.100.200", METADATA),
    ("::ffff:169.254.169.254", METADATA),
    ("64:ff9b::a9fe:a9fe", METADATA),  # NAT64 around 169.254.169.254
    ("169.254.10.1", LINK_LOCAL),
    ("fe80::1", LINK_LOCAL),
    ("0.0.0.0", UNSPECIFIED),  # noqa: S104 - the address under test
    ("::", UNSPECIFIED),
    ("224.0.0.1", MULTICAST),
    ("ff02::1", MULTICAST),
    ("10.1.2.3", PRIVATE),
    ("172.16.0.1", PRIVATE),
    ("172.31.255.254", PRIVATE),
    ("192.168.1.10", PRIVATE),
    ("100.64.0.1", PRIVATE),  # shared (carrier-grade NAT) space
    ("fd12:3456::1", PRIVATE),
    ("::ffff:10.0.0.1", PRIVATE),
    ("192.0.2.1", RESERVED),  # documentation
    ("198.18.0.1", RESERVED),  # benchmarking
    ("240.0.0.1", RESERVED),
    ("255.255.255.255", RESERVED),
    ("0.1.2.3", RESERVED),  # "this network"
    ("93.184.216.34", None),
    ("8.8.8.8", None),
    ("172.32.0.1", None),  # just outside 172.16/12
    ("2606:2800:220:1:248:1893:25c8:1946", None),
]


@pytest.fixture(autouse=True)
def _no_exceptions(settings) -> None:  # noqa: ANN001
    settings.WEBHOOK_ALLOWED_HOSTS = []
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False


@pytest.fixture
def dns(monkeypatch):  # noqa: ANN001, ANN201
    """Names → addresses, as the resolver will answer; `dns.calls` counts the look-ups."""
    table: dict[str, list[str]] = {}
    calls: list[str] = []

    def resolve(host: str, port: int) -> list:
        calls.append(host)
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [ipaddress.ip_address(a) for a in table[host]]

    monkeypatch.setattr(destinations, "_resolve", resolve)
    resolve.table, resolve.calls = table, calls
    return resolve


# ---------------------------------------------------------------- the rule, without a database


@pytest.mark.parametrize(("address", "kind"), KINDS)
def test_each_kind_of_internal_address_is_refused(address: str, kind: str | None) -> None:
    assert address_refusal(ipaddress.ip_address(address), allow_private=False) == kind


@pytest.mark.parametrize(("address", "kind"), KINDS)
def test_allowing_private_networks_allows_nothing_else(address: str, kind: str | None) -> None:
    expected = None if kind == PRIVATE else kind
    assert address_refusal(ipaddress.ip_address(address), allow_private=True) == expected


@hsettings(max_examples=300, deadline=None)
@given(st.ip_addresses(v=4))
def test_an_ipv4_address_written_as_ipv6_is_judged_as_itself(address: ipaddress.IPv4Address) -> None:
    # The next way of writing 127.0.0.1 differently must not get through.
    mapped = ipaddress.IPv6Address(f"::ffff:{address}")
    sixtofour = ipaddress.IPv6Address((0x2002 << 112) | (int(address) << 80))
    nat64 = ipaddress.IPv6Address(int(ipaddress.IPv6Address("64:ff9b::")) | int(address))
    for allow_private in (False, True):
        expected = address_refusal(address, allow_private=allow_private)
        for form in (mapped, sixtofour, nat64):
            assert address_refusal(form, allow_private=allow_private) == expected


@hsettings(max_examples=300, deadline=None)
@given(
    st.sampled_from(
        ["127.0.0.0/8", "::1/128", "169.254.0.0/16", "fe80::/10", "224.0.0.0/4", "ff00::/8", "10.0.0.0/8"]
        + ["172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7", "240.0.0.0/4", "0.0.0.0/8"]
    ).flatmap(lambda net: st.ip_addresses(network=net))
)
def test_no_address_in_an_internal_range_is_allowed(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> None:
    assert address_refusal(address, allow_private=False) is not None


def test_a_name_resolving_to_an_internal_address_is_refused_naming_both(dns) -> None:  # noqa: ANN001
    dns.table["erp.example.com"] = ["93.184.216.34", "10.0.0.7"]  # one bad answer spoils the name
    dns.table["meta.example.com"] = ["169.254.169.254"]
    dns.table["v6.example.com"] = ["::ffff:127.0.0.1"]
    with pytest.raises(destinations.UnsafeDestination) as refused:
        destination_check("erp.example.com", 443)
    assert str(refused.value) == f"erp.example.com resolves to 10.0.0.7, {PRIVATE}."
    with pytest.raises(destinations.UnsafeDestination) as refused:
        destination_check("META.example.com.", 80)  # case and the root dot change nothing
    assert str(refused.value) == f"meta.example.com resolves to 169.254.169.254, {METADATA}."
    with pytest.raises(destinations.UnsafeDestination) as refused:
        destination_check("v6.example.com", 80)
    assert str(refused.value) == f"v6.example.com resolves to ::ffff:127.0.0.1, {LOOPBACK}."


def test_the_allow_list_takes_names_addresses_and_networks(dns, settings) -> None:  # noqa: ANN001
    dns.table["erp.corp"] = ["10.20.0.5"]
    dns.table["other.corp"] = ["10.30.0.5"]
    settings.WEBHOOK_ALLOWED_HOSTS = ["erp.corp", "10.40.0.0/16", "::1"]
    assert destination_check("erp.corp", 443) == [ipaddress.ip_address("10.20.0.5")]
    assert destination_check("10.40.1.2", 443) == [ipaddress.ip_address("10.40.1.2")]
    assert destination_check("::1", 443) == [ipaddress.ip_address("::1")]
    with pytest.raises(destinations.UnsafeDestination):
        destination_check("other.corp", 443)
    with pytest.raises(destinations.UnsafeDestination):
        destination_check("127.0.0.1", 443)


# ---------------------------------------------------------------- subscribing: form, API, services


INTERNAL_URLS = [
    ("http://127.0.0.1:5432/", f"127.0.0.1 is {LOOPBACK}."),
    ("http://[::1]:6379/", f"::1 is {LOOPBACK}."),
    ("http://169.254.169.254/latest/meta-data/", f"169.254.169.254 is {METADATA}."),
    ("http://[fd00:ec2::254]/", f"fd00:ec2::254 is {METADATA}."),
    ("http://100.100.100.200/", f"100.100.100.200 is {METADATA}."),
    ("http://[::ffff:127.0.0.1]/", f"::ffff:127.0.0.1 is {LOOPBACK}."),
    ("http://0.0.0.0:8000/", f"0.0.0.0 is {UNSPECIFIED}."),
    ("https://192.168.1.20/hook", f"192.168.1.20 is {PRIVATE}."),
    ("https://internal.example.com/hook", f"internal.example.com resolves to 172.20.0.3, {PRIVATE}."),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "message"), INTERNAL_URLS)
def test_the_api_refuses_an_internal_webhook_url(world, dns, url, message) -> None:  # noqa: ANN001
    # given
    dns.table["internal.example.com"] = ["172.20.0.3"]
    api = token_client(world.director)
    # when
    answer = api.post("/api/v1/webhooks/", {"url": url, "events": ["tier.changed"]}, format="json")
    # then
    assert answer.status_code == 400
    assert answer.json()["errors"] == {"url": [message]}
    assert not WebhookSubscription.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "message"), INTERNAL_URLS)
def test_the_page_refuses_an_internal_webhook_url(client, world, dns, url, message) -> None:  # noqa: ANN001
    dns.table["internal.example.com"] = ["172.20.0.3"]
    client.force_login(world.director)
    page = client.post("/integrations/webhooks/", {"url": url, "events": ["tier.changed"]})
    assert page.status_code == 200
    assert page.context["form"].errors == {"url": [message]}
    assert not WebhookSubscription.objects.exists()


@pytest.mark.django_db
def test_every_write_path_refuses_an_internal_url(world, dns) -> None:  # noqa: ANN001
    # given a subscription to a public name
    dns.table["erp.example.com"] = ["93.184.216.34"]
    subscription = services.subscription_create(url="https://erp.example.com/hook", events=["tier.changed"])
    # when its URL is changed to an internal one by the service, or by the API's PATCH
    with pytest.raises(ValidationError) as refused:
        services.subscription_update(subscription=subscription, url="http://127.0.0.1:6379/")
    assert refused.value.message_dict == {"url": [f"127.0.0.1 is {LOOPBACK}."]}
    with pytest.raises(ValidationError) as refused:
        services.subscription_create(url="http://[::1]/", events=["tier.changed"])
    assert refused.value.message_dict == {"url": [f"::1 is {LOOPBACK}."]}
    patched = token_client(world.director).patch(
        f"/api/v1/webhooks/{subscription.pk}/", {"url": "http://169.254.169.254/"}, format="json"
    )
    # then nothing changed
    assert patched.status_code == 400
    assert patched.json()["errors"] == {"url": [f"169.254.169.254 is {METADATA}."]}
    subscription.refresh_from_db()
    assert (subscription.url, WebhookSubscription.objects.count()) == ("https://erp.example.com/hook", 1)


@pytest.mark.django_db
def test_private_networks_are_accepted_when_the_setting_allows_them(world, dns, settings) -> None:  # noqa: ANN001
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    dns.table["erp.corp"] = ["10.0.0.7"]
    api = token_client(world.director)
    made = api.post("/api/v1/webhooks/", {"url": "https://erp.corp/hook", "events": ["tier.changed"]}, format="json")
    assert made.status_code == 201
    loopback = api.post("/api/v1/webhooks/", {"url": "http://127.0.0.1/", "events": ["tier.changed"]}, format="json")
    assert loopback.json()["errors"] == {"url": [f"127.0.0.1 is {LOOPBACK}."]}


@pytest.mark.django_db
def test_a_name_that_does_not_resolve_now_is_accepted_and_checked_at_delivery(dns) -> None:  # noqa: ANN001
    subscription = services.subscription_create(url="https://later.example.com/hook", events=["plan.overdue"])
    delivery = WebhookDelivery.objects.create(subscription=subscription, event="plan.overdue", payload={})
    result = services.delivery_attempt(delivery.pk, attempt=1)
    delivery.refresh_from_db()
    assert (result.status, result.retry_in) == ("pending", 60)  # DNS may come back: retried
    assert delivery.last_error == "URLError: <urlopen error [Errno -2] Name or service not known>"


# ---------------------------------------------------------------- delivering


def _pending_to(url: str) -> WebhookDelivery:
    # Stored as it might have been before the rule, or while the name still resolved elsewhere.
    subscription = WebhookSubscription.objects.create(url=url, events=["plan.overdue"])
    return WebhookDelivery.objects.create(subscription=subscription, event="plan.overdue", payload={"plan": 1})


@pytest.mark.django_db
def test_a_stored_internal_url_is_refused_at_delivery_without_a_request(receiver) -> None:  # noqa: ANN001
    delivery = _pending_to(receiver.url)  # http://127.0.0.1:<port>/hook
    result = services.delivery_attempt(delivery.pk, attempt=1)
    delivery.refresh_from_db()
    assert (result.status, result.retry_in) == ("failed", None)  # final: no retry
    assert (delivery.status, delivery.last_status_code) == ("failed", None)
    assert delivery.last_error == f"Refused: 127.0.0.1 is {LOOPBACK}."
    assert receiver.requests == []


@pytest.mark.django_db
def test_a_name_that_now_resolves_inside_is_refused_at_delivery(dns, receiver) -> None:  # noqa: ANN001
    # given a subscription made while the name pointed outside
    dns.table["hook.example.com"] = ["93.184.216.34"]
    port = receiver.server.server_port
    subscription = services.subscription_create(url=f"http://hook.example.com:{port}/hook", events=["plan.overdue"])
    # when DNS now points it at our own machine
    dns.table["hook.example.com"] = ["127.0.0.1"]
    delivery = WebhookDelivery.objects.create(subscription=subscription, event="plan.overdue", payload={})
    result = services.delivery_attempt(delivery.pk, attempt=1)
    # then nothing is sent and the log says why
    delivery.refresh_from_db()
    assert result.status == "failed"
    assert delivery.last_error == f"Refused: hook.example.com resolves to 127.0.0.1, {LOOPBACK}."
    assert receiver.requests == []


@pytest.mark.django_db
def test_a_delivery_connects_to_the_address_it_checked_without_resolving_again(dns, receiver, settings) -> None:  # noqa: ANN001
    # 127.0.0.1 allowed here so that the request can arrive; the name exists only in our table.
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    dns.table["hook.example.com"] = ["127.0.0.1"]
    port = receiver.server.server_port
    delivery = _pending_to(f"http://hook.example.com:{port}/hook")
    assert services.delivery_attempt(delivery.pk, attempt=1).status == "succeeded"
    assert dns.calls == ["hook.example.com"]  # one look-up, checked, then connected to
    [request] = receiver.requests
    assert request["headers"]["Host"] == f"hook.example.com:{port}"


@pytest.mark.django_db
def test_a_redirect_into_the_network_is_not_followed(receiver, settings) -> None:  # noqa: ANN001
    # given a public-looking receiver (allowed here) that redirects to another local server
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    target = Receiver()
    try:
        receiver.answer((307, {"Location": target.url}))
        delivery = _pending_to(receiver.url)
        # when
        result = services.delivery_attempt(delivery.pk, attempt=1)
        # then the redirect is a failure, and its target never hears from us
        delivery.refresh_from_db()
        assert (result.status, delivery.last_status_code) == ("failed", 307)
        assert delivery.last_error == "HTTP 307 Temporary Redirect"
        assert len(receiver.requests) == 1
        assert target.requests == []
    finally:
        target.close()


@pytest.mark.django_db
def test_the_log_keeps_the_status_not_the_answer(receiver, settings) -> None:  # noqa: ANN001
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    receiver.answer(500)  # its body is "nope"
    delivery = _pending_to(receiver.url)
    services.delivery_attempt(delivery.pk, attempt=1)
    delivery.refresh_from_db()
    assert delivery.last_error == "HTTP 500 Internal Server Error"


@pytest.mark.django_db
def test_a_service_that_is_not_http_is_not_echoed(settings) -> None:  # noqa: ANN001
    # A Redis-like server answers one line of its own protocol; urllib's error would quote it.
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    server = socket.create_server(("127.0.0.1", 0))

    def answer() -> None:
        conn, _ = server.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(b"-ERR secret internal detail\r\n")

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    try:
        delivery = _pending_to(f"http://127.0.0.1:{server.getsockname()[1]}/")
        services.delivery_attempt(delivery.pk, attempt=1)
    finally:
        thread.join(timeout=5)
        server.close()
    delivery.refresh_from_db()
    assert delivery.last_error == "Not an HTTP answer (BadStatusLine)."
