"""QR codes where a user expects them: "send to wallet" (the wallet's request link, which carries
the interaction URL) and sharing (the public link), as labelled inline SVG next to the link."""

from __future__ import annotations

import json
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.test import Client

from microdegree.records.models import CredentialPreference, WalletExchange

from . import qrread
from .conftest import award

pytestmark = pytest.mark.django_db

ADA = "ada@example.org"


@pytest.fixture
def held(institution, pathway, sign_in):
    _, (stats, _, _) = pathway
    cred = award(stats, ADA)
    sign_in(ADA)
    return cred


def _qr_svgs(html: str) -> list[str]:
    return re.findall(r"<svg [^>]*class=\"qr\".*?</svg>", html, flags=re.S)


def _label(svg: str) -> str:
    match = re.search(r'<svg [^>]*aria-label="([^"]+)"', svg)
    assert match, svg[:300]
    return unescape(match.group(1))


def test_wallet_page_shows_a_qr_code_of_the_wallet_link(client, held):
    html = client.post(f"/me/credentials/p-{held.uuid}/wallet").content.decode()
    exchange = WalletExchange.objects.get()
    start = html.index('href="https://lcw.app/request.html?request=') + len('href="')
    link = unescape(html[start:html.index('"', start)])
    request = json.loads(parse_qs(urlsplit(link).query)["request"][0])
    interaction = f"{settings.PUBLIC_URL}/wallet/exchanges/{exchange.exchange_id}"
    assert request["protocols"]["vcapi"] == interaction
    (svg,) = _qr_svgs(html)
    assert 'role="img"' in svg
    assert _label(svg) == "QR code that opens this exchange in your wallet"
    assert "<title>QR code that opens this exchange in your wallet</title>" in svg
    assert qrread.from_svg(svg) == qrread.expected(link)
    # the link and the interaction URL are still there as text
    assert "Open in the Learner Credential Wallet" in html
    assert f"<code>{interaction}</code>" in html


def test_share_pages_show_a_qr_code_of_the_public_link(client, held):
    key = f"p-{held.uuid}"
    assert _qr_svgs(client.get(f"/me/credentials/{key}/").content.decode()) == []
    client.post(f"/me/credentials/{key}/preferences", {"visibility": "link"})
    token = CredentialPreference.objects.get(credential=held).share_token
    url = f"{settings.PUBLIC_URL}/share/{token}"
    # the learner's credential page, beside the public link
    (svg,) = _qr_svgs(client.get(f"/me/credentials/{key}/").content.decode())
    assert qrread.from_svg(svg) == qrread.expected(url)
    assert _label(svg) == f"QR code of the public link {url}"
    # the public share page itself
    html = Client().get(f"/share/{token}").content.decode()
    (svg,) = _qr_svgs(html)
    assert qrread.from_svg(svg) == qrread.expected(url)
    assert qrread.from_svg(svg) != qrread.expected(url + "/")
    assert url in _label(svg)
    assert f'<a href="{url}">{url}</a>' in html
