"""The client's IP address for rate limits and audit entries, behind trusted reverse proxies.

`REMOTE_ADDR` is the peer of the TCP connection. Behind a reverse proxy that is the proxy, so
every client would share one rate limit. When (and only when) the peer is one of the networks
in `settings.TRUSTED_PROXIES` (`MICRODEGREE_TRUSTED_PROXIES`, empty by default: trust nobody),
`X-Forwarded-For` is read from the right: each trusted proxy appended the address it saw, so
the right-most address that is not itself a trusted proxy is the client. Addresses left of it
were written by the client and are never used (anyone can send `X-Forwarded-For: 1.2.3.4`).
A malformed entry on the way stops the walk and the peer's address is used: whatever lies
beyond it cannot be vouched for.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

from django.conf import settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(value: str | Iterable[str]) -> tuple[Network, ...]:
    """`"10.0.0.1, 192.168.0.0/16, fd00::/8"` → networks; a bare address is a /32 (/128).

    Raises ValueError on a malformed entry or host bits set (`10.0.0.1/8`), so a typo in the
    setting stops the process at start-up instead of silently trusting nobody (or too much).
    """
    items = value.split(",") if isinstance(value, str) else value
    return tuple(ipaddress.ip_network(item.strip()) for item in items if item.strip())


def _address(text: str) -> Address | None:
    """An IP address (IPv4-mapped IPv6 unmapped to IPv4), or None if `text` is not one."""
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted_networks() -> tuple[Network, ...]:
    return tuple(settings.TRUSTED_PROXIES)  # parsed once by settings (parse_networks)


def _is_trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address in network for network in networks)  # other IP version: never in


def client_ip(request: Any) -> str | None:
    """The client's address (normalised text), or None if the peer's address is unknown."""
    remote = str(request.META.get("REMOTE_ADDR") or "")
    peer = _address(remote)
    if peer is None:
        return None  # no usable peer address (e.g. a Unix socket): nothing to key on
    networks = _trusted_networks()
    if not networks or not _is_trusted(peer, networks):
        return str(peer)
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR") or "")
    hops = [hop for hop in forwarded.split(",") if hop.strip()]
    last_trusted = peer
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            return str(peer)  # malformed: nothing left of it can be vouched for
        if not _is_trusted(address, networks):
            return str(address)
        last_trusted = address
    # every hop is a trusted proxy (or there are none): the farthest one is the origin
    return str(last_trusted)


def from_trusted_proxy(request: Any) -> bool:
    """True when the TCP peer is one of the trusted proxies (so its X-Forwarded-* is believed)."""
    peer = _address(str(request.META.get("REMOTE_ADDR") or ""))
    networks = _trusted_networks()
    return peer is not None and bool(networks) and _is_trusted(peer, networks)
