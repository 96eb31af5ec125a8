"""The demo prints a credential offer for Carla; a wallet takes her credentials with it."""

from __future__ import annotations

import re
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from microdegree.oid4vci.models import CredentialOffer

from .wallet import ClientTransport, Wallet

pytestmark = pytest.mark.django_db


def test_the_demo_offer_works_in_a_wallet(client):
    first, second = StringIO(), StringIO()
    call_command("demo", stdout=first)
    call_command("demo", stdout=second)
    out = first.getvalue()
    link = re.search(r"(openid-credential-offer://\S+)", out)[1]
    tx_code = re.search(r"transaction code (\d{6})", out)[1]
    qr_url = re.search(r"its QR code: (\S+)", out)[1]
    assert "openid-credential-offer://" not in second.getvalue()  # still open: not remade
    assert CredentialOffer.objects.count() == 1

    qr = client.get(urlsplit(qr_url).path)
    assert qr.status_code == 200
    assert qr["Content-Type"] == "image/svg+xml"

    wallet = Wallet(ClientTransport(client))
    wallet.read_offer(link)
    wallet.discover()
    assert wallet.redeem(tx_code).status == 200
    # three courses, the microdegree, and the receiving university's credit decision
    assert len(wallet.identifiers()) == 5
    for identifier in wallet.identifiers():
        answer = wallet.request(wallet.proof(wallet.nonce()), identifier=identifier)
        assert answer.status == 200, answer.body
    assert client.get(urlsplit(qr_url).path).status_code == 404  # used: the QR code is gone too
