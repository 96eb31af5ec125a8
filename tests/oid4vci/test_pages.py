"""The learner's side: the button on the credential page, the offer page, and its refusals."""

from __future__ import annotations

import pytest

from .conftest import award, offer_from_page

pytestmark = pytest.mark.django_db

ADA = "ada@example.org"


def test_the_credential_page_offers_the_qr_code(client, course, learner):
    cred = award(course, ADA)
    client.force_login(learner(ADA))
    page = client.get(f"/me/credentials/p-{cred.uuid}/").content.decode()
    assert f'action="/me/credentials/p-{cred.uuid}/oid4vci"' in page
    _link, tx_code, offer_page = offer_from_page(client, cred)
    assert "10 minutes" in offer_page
    assert tx_code in offer_page


def test_signed_out_there_is_no_offer(client, course):
    cred = award(course, ADA)
    answer = client.post(f"/me/credentials/p-{cred.uuid}/oid4vci")
    assert answer.status_code == 302
    assert answer["Location"].startswith("/me/login")


def test_a_revoked_credential_is_not_offered(client, course, learner):
    from microdegree.issuing import services as issuing

    cred = award(course, ADA)
    issuing.revoke(None, cred, "Awarded in error")
    client.force_login(learner(ADA))
    answer = client.post(f"/me/credentials/p-{cred.uuid}/oid4vci")
    assert answer.status_code == 409
    assert "revoked" in answer.content.decode()


def test_only_post_makes_an_offer(client, course, learner):
    cred = award(course, ADA)
    client.force_login(learner(ADA))
    assert client.get(f"/me/credentials/p-{cred.uuid}/oid4vci").status_code == 405


def test_admins_see_offers_and_deliveries_without_their_digests(client, course, learner,
                                                                admin_user):
    cred = award(course, ADA)
    client.force_login(learner(ADA))
    offer_from_page(client, cred)
    from microdegree.oid4vci.models import CredentialOffer

    offer = CredentialOffer.objects.get()
    client.force_login(admin_user)
    assert client.get("/admin/oid4vci/credentialoffer/").status_code == 200
    page = client.get(f"/admin/oid4vci/credentialoffer/{offer.pk}/change/")
    assert page.status_code == 200
    assert offer.code_hash not in page.content.decode()
    assert client.get("/admin/oid4vci/delivery/").status_code == 200
