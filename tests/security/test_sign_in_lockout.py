"""Sign-in links (issue 12, point 9): requests for one address from many IP addresses must not
lock its owner out. The limit is per client first; the address has a higher limit and a slow
lane that always lets a client that has not asked recently get one link."""

from __future__ import annotations

import pytest
from django.core import mail

from microdegree.records import auth
from microdegree.web.client_ip import parse_networks

pytestmark = pytest.mark.django_db

ADA = "ada@example.org"
OWNER_IP = "192.0.2.10"
PROXY = "10.0.0.2"


def ask(client, email: str, ip: str, **extra) -> int:
    return client.post("/me/login", {"email": email}, REMOTE_ADDR=ip, **extra).status_code


def test_strangers_on_many_addresses_do_not_lock_the_owner_out(client):
    # the attack of the issue (five requests for Ada's address from five IP addresses), and
    # more: fifteen strangers, each asking twice
    for _ in range(2):
        for n in range(1, 16):
            ask(client, ADA, f"198.51.100.{n}")
    sent = len(mail.outbox)
    # Ada, from her own network, still gets a link
    assert ask(client, ADA, OWNER_IP) == 200
    assert len(mail.outbox) == sent + 1
    assert mail.outbox[-1].to == [ADA]
    link = mail.outbox[-1].body.split("/me/login/", 1)[1].split()[0]
    assert client.post(f"/me/login/{link}").status_code == 302
    assert client.get("/me/").status_code == 200


def test_the_slow_lane_is_one_link_per_client_and_says_when_to_try_again(client):
    for n in range(auth.ADDRESS_LIMIT):
        assert ask(client, ADA, f"198.51.100.{n + 1}") == 200
    assert ask(client, ADA, OWNER_IP) == 200  # the slow lane
    response = client.post("/me/login", {"email": ADA}, REMOTE_ADDR=OWNER_IP)
    assert response.status_code == 429
    assert b"try again in 15 minutes" in response.content
    # a stranger who already asked gets nothing more either
    assert ask(client, ADA, "198.51.100.1") == 429


def test_one_client_is_limited_whatever_addresses_it_asks_for(client):
    codes = [ask(client, f"victim{n}@example.org", "203.0.113.9")
             for n in range(auth.RATE_LIMIT + 1)]
    assert codes == [200] * auth.RATE_LIMIT + [429]
    response = client.post("/me/login", {"email": ADA}, REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 429
    assert b"from your network" in response.content
    assert len(mail.outbox) == auth.RATE_LIMIT


def test_behind_a_trusted_proxy_the_owner_is_told_apart_and_forged_hops_do_not_help(
        client, settings):
    settings.TRUSTED_PROXIES = parse_networks(PROXY)
    for n in range(auth.ADDRESS_LIMIT):
        assert ask(client, ADA, PROXY, HTTP_X_FORWARDED_FOR=f"198.51.100.{n + 1}") == 200
    # a stranger forging the left end of X-Forwarded-For is still keyed on what the proxy saw
    assert ask(client, ADA, PROXY, HTTP_X_FORWARDED_FOR=f"{OWNER_IP}, 198.51.100.1") == 429
    assert ask(client, ADA, PROXY, HTTP_X_FORWARDED_FOR=OWNER_IP) == 200
