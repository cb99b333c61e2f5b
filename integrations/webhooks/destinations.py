"""Where a webhook may be sent: public addresses only (no SSRF into our own network).

A subscription URL is checked when it is saved (page form, API, services: one validator,
`destination_validate`) and again at every delivery, on the addresses the host resolves to
*then* (DNS can change): the delivery connects to an address this module checked and never
resolves the name a second time (`guarded_connection`).

Refused, with the reason in the message:

- loopback (127.0.0.0/8, ::1), link-local (169.254.0.0/16, fe80::/10), cloud metadata
  (169.254.169.254, fd00:ec2::254, 100.100.100.200), the unspecified address (0.0.0.0, ::),
  multicast, and every other address that is not globally routable (reserved, documentation,
  benchmarking, broadcast, "this network");
- private networks (10/8, 172.16/12, 192.168/16, 100.64/10 shared, fc00::/7) unless
  `settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS` (an on-premises ERP lives on one).

IPv4 written inside IPv6 (::ffff:a.b.c.d, 6to4, Teredo, NAT64 64:ff9b::/96) is judged by the
IPv4 address it carries. `settings.WEBHOOK_ALLOWED_HOSTS` lists exceptions an operator trusts
(host names, addresses, networks in CIDR); the tests put 127.0.0.1 there for their local receiver.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

__all__ = [
    "UnsafeDestination",
    "address_refusal",
    "destination_check",
    "destination_validate",
    "guarded_connection",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

METADATA = frozenset(ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200"))
PRIVATE_NETWORKS = tuple(
    ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7")
)
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class UnsafeDestination(Exception):
    """A webhook URL whose host is, or resolves to, an address we refuse to reach.

    Deliberately not an OSError: a refusal is final, not a network hiccup to retry."""


def _embedded_ipv4(address: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, Teredo, NAT64), else itself."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped:
            return address.ipv4_mapped
        if address.sixtofour:
            return address.sixtofour
        if address.teredo:
            return address.teredo[1]
        if address in NAT64:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def _shown(address: IPAddress) -> str:
    """How a person writes it: "::ffff:127.0.0.1" (Python 3.11 would say "::ffff:7f00:1")."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return f"::ffff:{address.ipv4_mapped}"
    return str(address)


def address_refusal(address: IPAddress, *, allow_private: bool) -> str | None:
    """What kind of refused address `address` is ("a loopback address"), or None if allowed.

    Pure: `allow_private` is `settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS`. Order matters: a
    metadata address is also link-local or private, and is refused even where those are allowed.
    """
    inner = _embedded_ipv4(address)
    if address in METADATA or inner in METADATA:
        return _("a cloud metadata address")
    if inner.is_unspecified:
        return _("the unspecified address")
    if inner.is_loopback:
        return _("a loopback address")
    if inner.is_link_local:
        return _("a link-local address")
    if inner.is_multicast:
        return _("a multicast address")
    if any(inner.version == n.version and inner in n for n in PRIVATE_NETWORKS):
        return None if allow_private else _("a private address (allowed only with WEBHOOK_ALLOW_PRIVATE_NETWORKS)")
    if not inner.is_global:
        return _("a reserved address, not a public one")
    return None


def _resolve(host: str, port: int) -> list[IPAddress]:
    """Every address `host` resolves to now (the edge of the world; tests patch it).

    socket.gaierror (an OSError) when it does not resolve."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    return list(dict.fromkeys(ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos))


def _allowed_entries() -> tuple[set[str], list[ipaddress.IPv4Network | ipaddress.IPv6Network]]:
    names: set[str] = set()
    networks = []
    for entry in getattr(settings, "WEBHOOK_ALLOWED_HOSTS", ()):
        try:
            networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
        except ValueError:
            names.add(entry.lower().rstrip("."))
    return names, networks


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return None


def destination_check(host: str, port: int) -> list[IPAddress]:
    """The addresses a delivery to `host`:`port` may connect to, resolved now and checked.

    Raises UnsafeDestination naming the first refused address (a name resolving to any
    refused address is refused as a whole: it points into our network), and OSError
    (socket.gaierror) when the name does not resolve.
    """
    names, networks = _allowed_entries()
    host = host.lower().rstrip(".")
    literal = _literal(host)
    addresses = [literal] if literal is not None else _resolve(host, port)
    if host in names:
        return addresses
    allow_private = settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS
    for address in addresses:
        if any(address.version == n.version and address in n for n in networks):
            continue
        kind = address_refusal(address, allow_private=allow_private)
        if kind is None:
            continue
        if literal is not None:
            raise UnsafeDestination(_("%(address)s is %(kind)s.") % {"address": _shown(address), "kind": kind})
        raise UnsafeDestination(
            _("%(host)s resolves to %(address)s, %(kind)s.") % {"host": host, "address": _shown(address), "kind": kind}
        )
    return addresses


def _host_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    return parts.hostname or "", port or (443 if parts.scheme == "https" else 80)


def destination_validate(url: str) -> None:
    """The subscription validator (form, API serializer and services alike).

    ValidationError with the reason when the URL's host is, or now resolves to, a refused
    address. A name that does not resolve now is accepted: the delivery checks it again.
    """
    host, port = _host_port(url)
    if not host:
        return  # not a URL at all: the URL validator says so
    try:
        destination_check(host, port)
    except UnsafeDestination as refusal:
        raise ValidationError(str(refusal), code="unsafe_destination") from None
    except (OSError, UnicodeError, ValueError):
        return


def guarded_connection(
    address: tuple[str, int], timeout: float | None = None, source_address: tuple[str, int] | None = None
) -> socket.socket:
    """A drop-in for socket.create_connection that connects only to checked addresses.

    The name is resolved once, here, and the socket connects to one of the addresses just
    checked (so DNS answering differently a second time cannot slip an internal address in).
    """
    host, port = address
    errors: list[OSError] = []
    for ip in destination_check(host, port):
        family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            if isinstance(timeout, int | float):  # not http.client's "use the default" sentinel
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect((str(ip), port))
        except OSError as error:
            sock.close()
            errors.append(error)
            continue
        return sock
    raise errors[0] if errors else OSError(f"{host} has no address")
