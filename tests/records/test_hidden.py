"""The learner's "hidden" flag on the public credential page (/credentials/<uuid>): the public
gets 404 (page, JSON and verify-by-address alike), the holder still sees it with a note, and the
signed credential itself still verifies on /verify: hiding never affects validity."""

from __future__ import annotations

import io
import json

import pytest
from django.conf import settings
from django.test import Client
from pypdf import PdfReader

from microdegree.issuing.models import IssuedCredential

from . import qrread
from .conftest import award

pytestmark = pytest.mark.django_db

ADA = "ada@example.org"


@pytest.fixture
def held(institution, pathway, sign_in):
    _, (stats, _, _) = pathway
    cred = award(stats, ADA, recipient_name="Ada Lovelace")
    sign_in(ADA)
    return cred


def _hide(client, cred, hidden: bool) -> None:
    form = {"visibility": "hidden" if hidden else "public"}
    assert client.post(f"/me/credentials/p-{cred.uuid}/preferences", form).status_code == 302


def test_hidden_credential_has_no_public_page_but_still_verifies(client, held, sign_in):
    public = Client()
    page = f"/credentials/{held.uuid}"
    assert public.get(page).status_code == 200
    _hide(client, held, True)

    # the public: not found, as for a credential that does not exist
    assert public.get(page).status_code == 404
    assert public.get(page, HTTP_ACCEPT="application/vc+ld+json").status_code == 404
    assert public.get(page + "?format=json").status_code == 404
    by_url = public.post("/verify", {"url": f"{settings.PUBLIC_URL}{page}"},
                         HTTP_ACCEPT="application/json")
    assert by_url.status_code == 400
    assert json.loads(by_url.content)["code"] == "URL_NOT_FOUND"
    # another signed-in learner is the public too
    bob = Client()
    sign_in("bob@example.org", bob)
    assert bob.get(page).status_code == 404

    # the holder still sees the page, told that others do not
    mine = client.get(page)
    assert mine.status_code == 200
    assert 'id="hidden-note"' in mine.content.decode()

    # hiding never changes the credential: the signed JSON verifies when given
    held.refresh_from_db()
    assert held.state == IssuedCredential.State.ACTIVE
    pasted = public.post("/verify", {"credential": held.document},
                         HTTP_ACCEPT="application/json")
    assert pasted.status_code == 200
    assert json.loads(pasted.content)["verified"] is True
    downloaded = client.get(f"/me/credentials/p-{held.uuid}/credential.json").content
    assert downloaded.decode() == held.document

    # shown again: the same address works for everyone
    _hide(client, held, False)
    assert public.get(page).status_code == 200
    assert 'id="hidden-note"' not in client.get(page).content.decode()


def test_hidden_credential_offers_no_public_links(client, held):
    _hide(client, held, True)
    html = client.get(f"/me/credentials/p-{held.uuid}/").content.decode()
    assert "linkedin.com" not in html  # LinkedIn would link a page that answers 404
    # the PDF's QR code leads to the verify page instead of the hidden public page
    data = client.get(f"/me/credentials/p-{held.uuid}/credential.pdf").content
    assert qrread.from_pdf(data) == qrread.expected(f"{settings.PUBLIC_URL}/verify")
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert f"/credentials/{held.uuid}" not in text
