"""The client's address behind trusted reverse proxies (base/client_ip.py): X-Forwarded-For is
read only when the peer is a trusted proxy, from the right, and never its forgeable left end;
then the OAuth registration and sign-in link limits over HTTP, per client behind one proxy."""

from __future__ import annotations

import json

import pytest
from django.test import RequestFactory

from microdegree.base.client_ip import client_ip, parse_networks

PROXY = "10.0.0.1"


def _ip(settings, trusted: str, remote: str | None, forwarded: str | None = None) -> str | None:
    settings.TRUSTED_PROXIES = parse_networks(trusted)
    meta = {}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    request = RequestFactory().get("/", **meta)
    if remote is None:
        del request.META["REMOTE_ADDR"]
    else:
        request.META["REMOTE_ADDR"] = remote
    return client_ip(request)


def test_no_proxy_configured_ignores_x_forwarded_for(settings):
    assert _ip(settings, "", PROXY, "203.0.113.7") == PROXY
    assert _ip(settings, "", "198.51.100.2") == "198.51.100.2"


def test_the_default_setting_trusts_nobody(settings):
    from django.conf import settings as django_settings

    assert django_settings.TRUSTED_PROXIES == ()
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert client_ip(request) == "127.0.0.1"


def test_untrusted_peer_x_forwarded_for_ignored(settings):
    # a client talking to the app directly cannot pick its address
    assert _ip(settings, PROXY, "198.51.100.2", "203.0.113.7") == "198.51.100.2"


def test_trusted_proxy_gives_the_right_most_untrusted_address(settings):
    assert _ip(settings, PROXY, PROXY, "203.0.113.7") == "203.0.113.7"
    assert _ip(settings, PROXY, PROXY, " 203.0.113.7 ") == "203.0.113.7"


def test_chain_of_two_trusted_proxies(settings):
    trusted = "10.0.0.1, 10.0.0.2"
    assert _ip(settings, trusted, "10.0.0.1", "203.0.113.7, 10.0.0.2") == "203.0.113.7"
    # the second proxy is not trusted: it is the client as far as we can tell
    assert _ip(settings, "10.0.0.1", "10.0.0.1", "203.0.113.7, 10.0.0.2") == "10.0.0.2"


def test_forged_left_most_entry_is_not_used(settings):
    # the client sent "X-Forwarded-For: 1.2.3.4"; the proxy appended the address it saw
    assert _ip(settings, PROXY, PROXY, "1.2.3.4, 203.0.113.7") == "203.0.113.7"
    assert _ip(settings, PROXY, PROXY, "1.2.3.4, 10.0.0.1, 203.0.113.7") == "203.0.113.7"


@pytest.mark.parametrize("forwarded", [
    "", "  ", ",", "not-an-ip", "203.0.113.7:4711", "1.2.3.4, unknown", "999.1.1.1",
    "1.2.3.4, <script>",
])
def test_malformed_x_forwarded_for_gives_the_peer(settings, forwarded):
    assert _ip(settings, PROXY, PROXY, forwarded) == PROXY


def test_malformed_entry_stops_the_walk(settings):
    # what lies left of a malformed entry cannot be vouched for; empty entries are skipped
    assert _ip(settings, PROXY, PROXY, "203.0.113.7, junk, 10.0.0.1") == PROXY
    assert _ip(settings, PROXY, PROXY, "1.2.3.4, 203.0.113.7,") == "203.0.113.7"


def test_only_trusted_hops_gives_the_farthest_proxy(settings):
    assert _ip(settings, "10.0.0.0/8", "10.0.0.1", "10.0.0.3, 10.0.0.2") == "10.0.0.3"
    assert _ip(settings, "10.0.0.0/8", "10.0.0.1") == "10.0.0.1"


def test_ipv6(settings):
    assert _ip(settings, "fd00::1", "fd00::1", "2001:db8::7") == "2001:db8::7"
    assert _ip(settings, "fd00::1", "fd00:0:0::1", "2001:DB8:0:0::7") == "2001:db8::7"
    assert _ip(settings, "fd00::/8", "fd12::9", "192.0.2.5, 2001:db8::7, fd00::2") \
        == "2001:db8::7"
    # IPv4 proxies do not trust an IPv6 peer, and the other way round
    assert _ip(settings, "10.0.0.0/8", "fd00::1", "203.0.113.7") == "fd00::1"
    # an IPv4-mapped peer (dual-stack socket) is the IPv4 address
    assert _ip(settings, PROXY, "::ffff:10.0.0.1", "203.0.113.7") == "203.0.113.7"
    assert _ip(settings, "", "::ffff:198.51.100.2") == "198.51.100.2"


def test_cidr(settings):
    trusted = "10.0.0.0/8, 192.168.0.0/16"
    assert _ip(settings, trusted, "10.9.8.7", "203.0.113.7, 192.168.4.4") == "203.0.113.7"
    assert _ip(settings, trusted, "11.0.0.1", "203.0.113.7") == "11.0.0.1"


def test_unknown_peer_gives_none(settings):
    assert _ip(settings, PROXY, None, "203.0.113.7") is None
    assert _ip(settings, PROXY, "", "203.0.113.7") is None
    assert _ip(settings, PROXY, "unix:/run/app.sock", "203.0.113.7") is None


def test_setting_parsing():
    assert parse_networks("") == ()
    assert [str(n) for n in parse_networks(" 10.0.0.1 , fd00::/8,")] == ["10.0.0.1/32",
                                                                        "fd00::/8"]
    with pytest.raises(ValueError):
        parse_networks("10.0.0.1/8")  # host bits set: a typo, refused at start-up
    with pytest.raises(ValueError):
        parse_networks("proxy.internal")


# --- over HTTP: separate limits for clients behind one trusted proxy ---------------------------


def _register(client, forwarded: str) -> int:
    metadata = {"client_name": "Wallet", "redirect_uris": ["https://app.example/callback"],
                "token_endpoint_auth_method": "none"}
    return client.post("/ims/ob/v3p0/register", json.dumps(metadata),
                       content_type="application/json", REMOTE_ADDR=PROXY,
                       HTTP_X_FORWARDED_FOR=forwarded).status_code


@pytest.mark.django_db
def test_registration_limit_is_per_client_behind_a_trusted_proxy(client, settings,
                                                                 monkeypatch):
    from microdegree.obapi import registration
    from microdegree.obapi.models import ClientMetadata

    monkeypatch.setattr(registration, "RATE_LIMIT", 2)
    settings.TRUSTED_PROXIES = parse_networks(PROXY)
    first = [_register(client, "203.0.113.7") for _ in range(3)]
    assert first == [201, 201, 429]
    # another client behind the same proxy has its own limit; forging the left end is no help
    assert _register(client, "198.51.100.2") == 201
    assert _register(client, "198.51.100.2, 203.0.113.7") == 429
    assert sorted(ClientMetadata.objects.values_list("registered_ip", flat=True)) == [
        "198.51.100.2", "203.0.113.7", "203.0.113.7"]


@pytest.mark.django_db
def test_without_trusted_proxies_all_clients_share_the_proxy_limit(client, settings,
                                                                   monkeypatch):
    from microdegree.obapi import registration

    monkeypatch.setattr(registration, "RATE_LIMIT", 2)
    settings.TRUSTED_PROXIES = ()
    codes = [_register(client, f"203.0.113.{n}") for n in range(3)]
    assert codes == [201, 201, 429]


@pytest.mark.django_db
def test_sign_in_link_limit_is_per_client_behind_a_trusted_proxy(client, settings,
                                                                 monkeypatch):
    from microdegree.records import auth
    from microdegree.records.models import LinkRequest

    monkeypatch.setattr(auth, "RATE_LIMIT", 2)
    settings.TRUSTED_PROXIES = parse_networks(PROXY)

    def ask(email: str, forwarded: str) -> int:
        return client.post("/me/login", {"email": email}, REMOTE_ADDR=PROXY,
                           HTTP_X_FORWARDED_FOR=forwarded).status_code

    assert [ask(f"a{n}@example.org", "203.0.113.7") for n in range(3)] == [200, 200, 429]
    assert ask("b@example.org", "198.51.100.2") == 200
    assert set(LinkRequest.objects.values_list("ip", flat=True)) == {"203.0.113.7",
                                                                      "198.51.100.2"}
