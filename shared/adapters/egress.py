"""Where the platform may send a request on a club's behalf (SSRF defence).

A club's webhook URL is a destination chosen by a user, so it is checked twice: when it is
registered and again before every delivery, because DNS may answer differently the second
time (DNS rebinding). The delivery then connects to the very address that was checked
(`PinnedTransport`), with TLS verified for the URL's host name.

Refused: anything but `https` on port 443 (the delivery functions' security group allows
only that), user names in URLs, characters outside RFC 3986's set (control characters and
white space anywhere: what is checked must be what is stored and called, and URL parsers
drop some of them silently), and host names with any address that is not globally
routable: private, loopback, link-local (the instance metadata service at
169.254.169.254), carrier-grade NAT, multicast, reserved, IPv6's equivalents, and IPv6
addresses that embed an IPv4 address which is not (IPv4-mapped and -compatible, 6to4,
Teredo's server and client, NAT64's well-known prefix; NAT64's local-use prefix always).

The local platform relaxes only the scheme (http), the port and loopback addresses, for
its own receiver on 127.0.0.1; link-local, private and metadata addresses stay refused.
"""

import ipaddress
import re
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from shared.domain.errors import Unprocessable

# host, port -> the addresses it resolves to (socket.getaddrinfo, reduced).
Resolver = Callable[[str, int], Sequence[str]]
HTTPS_PORT = 443
# RFC 3986's unreserved and reserved characters and percent-encoding, nothing else.
_URL_CHARACTERS = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+$")
_NAT64_WELL_KNOWN = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052
_NAT64_LOCAL_USE = ipaddress.IPv6Network("64:ff9b:1::/48")  # RFC 8215
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")  # deprecated by RFC 4291


def system_resolver(host: str, port: int) -> list[str]:
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return []
    return list(dict.fromkeys(str(answer[4][0]) for answer in answers))


def local_resolver(host: str, port: int) -> list[str]:
    """The local platform's: this machine only. Nothing local may depend on the internet,
    and a fuzzed host name must not wait for a DNS timeout."""
    return ["127.0.0.1"] if host == "localhost" else []


@dataclass(frozen=True)
class EgressPolicy:
    # Only the local platform sets this (its receiver is http on 127.0.0.1); no stack does.
    allow_local: bool = False

    @property
    def resolver(self) -> Resolver:
        return local_resolver if self.allow_local else system_resolver


@dataclass(frozen=True)
class Destination:
    scheme: str
    host: str
    port: int
    # Path and query, as sent in the request line.
    target: str
    addresses: tuple[str, ...]


class RefusedDestination(Unprocessable):
    code = "webhook_url_refused"


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address leads to through a transition mechanism."""
    found: list[ipaddress.IPv4Address] = []
    if ip.ipv4_mapped is not None:
        found.append(ip.ipv4_mapped)
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)
    if ip in _NAT64_WELL_KNOWN or (ip in _IPV4_COMPATIBLE and int(ip) > 1):
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found


def _is_global(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return ip.is_global and not (ip.is_multicast or ip.is_reserved)


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv4Address):
        return _is_global(ip)
    if ip in _NAT64_LOCAL_USE:
        return False  # translated to whatever the local network chose: unknowable here
    embedded = _embedded_ipv4(ip)
    if embedded:
        return all(_is_global(v4) for v4 in embedded)
    return _is_global(ip)


def is_loopback(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def allowed_address(address: str, policy: "EgressPolicy") -> bool:
    return is_public(address) or (policy.allow_local and is_loopback(address))


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def check_destination(
    url: str, policy: EgressPolicy, resolve: Resolver = system_resolver
) -> Destination:
    """The URL's destination with the addresses it resolves to now, all of them allowed;
    `RefusedDestination` (422) otherwise, with the reason."""
    if not _URL_CHARACTERS.match(url):
        raise RefusedDestination(
            "Webhook URLs may hold only URL characters (no spaces or control characters; "
            "percent-encode anything else)."
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise RefusedDestination("The URL cannot be read.") from None
    allowed_schemes = ("https", "http") if policy.allow_local else ("https",)
    if parts.scheme not in allowed_schemes:
        raise RefusedDestination("Webhook URLs must use https.")
    if parts.username is not None or parts.password is not None:
        raise RefusedDestination("Webhook URLs may not carry credentials.")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise RefusedDestination("The URL names no host.")
    default_port = HTTPS_PORT if parts.scheme == "https" else 80
    if port is not None and port != default_port and not policy.allow_local:
        raise RefusedDestination("Webhook URLs must use the https port (443).")
    port = port or default_port
    addresses = tuple([host] if _is_ip_literal(host) else resolve(host, port))
    if not addresses:
        raise RefusedDestination(
            "The URL's host name does not resolve.", code="webhook_url_unresolvable"
        )
    if not all(allowed_address(a, policy) for a in addresses):
        raise RefusedDestination(
            "The URL points at a private, loopback, link-local or reserved address."
        )
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Destination(parts.scheme, host, port, target, addresses)
