"""OpenID4VCI end to end: a wallet written for the test takes a learner's credential from the
QR code on the record, over real HTTP, and the credential it gets verifies and names it."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from microdegree.audit.models import AuditEntry
from microdegree.oid4vci.models import Delivery
from microdegree.vc.verify import verify
from microdegree.verification import services as verification_services
from tests.records import qrread

from .conftest import award, offer_from_page
from .wallet import ClientTransport, HttpTransport, Wallet

ADA = "ada@example.org"


def verified(document):
    tools = verification_services.tools()
    return verify(document, resolver=tools.resolver, status_fetcher=tools.status_fetcher)


@pytest.fixture
def live(live_server, settings):
    """The platform at live_server's address (the issuer identifier is its public URL)."""
    settings.PUBLIC_URL = live_server.url
    settings.MICRODEGREE_VERIFY_ALLOW_PRIVATE = True
    settings.MICRODEGREE_VERIFY_ALLOW_HTTP = True
    verification_services.reset()
    return live_server


@pytest.mark.django_db(transaction=True)
def test_a_wallet_receives_the_credential_bound_to_its_key(live, client, course, learner):
    cred = award(course, ADA)
    client.force_login(learner(ADA))
    link, tx_code, page = offer_from_page(client, cred)
    assert link.startswith("openid-credential-offer://?credential_offer_uri=")
    assert tx_code is not None
    assert len(tx_code) == 6
    assert tx_code not in link  # the transaction code travels beside the QR code, not in it
    assert qrread.from_svg(page[page.index("<svg"):]) == qrread.expected(link)

    wallet = Wallet(HttpTransport())
    document = wallet.receive(link, tx_code)

    # what the wallet saw on the way
    assert wallet.offer["credential_issuer"] == live.url
    configuration = wallet.issuer["credential_configurations_supported"]["OpenBadgeCredential"]
    assert configuration["format"] == "ldp_vc"
    assert "jwt" in configuration["proof_types_supported"]
    assert wallet.server["pre-authorized_grant_anonymous_access_supported"] is True
    assert wallet.identifiers() == [str(cred.uuid)]

    # the credential: the learner's, now naming the wallet's DID, signed by the institution
    stored = json.loads(cred.document)
    assert document["credentialSubject"]["id"] == wallet.did
    assert document["id"] == stored["id"]
    assert document["credentialStatus"] == stored["credentialStatus"]
    assert document["credentialSubject"]["identifier"] == stored["credentialSubject"]["identifier"]
    assert document["proof"] != stored["proof"]
    report = verified(document)
    assert report.verified, [c.message for c in report.errors]

    delivery = Delivery.objects.get()
    assert delivery.holder == wallet.did
    assert delivery.credential == cred
    assert AuditEntry.objects.filter(action="oid4vci.credential_delivered").exists()

    # the offer is spent: its address and its pre-authorized code answer no more
    [uri] = parse_qs(urlsplit(link).query)["credential_offer_uri"]
    assert wallet.transport.get(uri).status == 404
    assert wallet.redeem(tx_code).status == 400


@pytest.mark.django_db
def test_revoking_the_credential_revokes_the_wallets_copy(client, course, learner,
                                                          institution):
    from microdegree.issuing import services as issuing

    cred = award(course, ADA)
    client.force_login(learner(ADA))
    link, tx_code, _ = offer_from_page(client, cred)
    wallet = Wallet(ClientTransport(client.__class__()))
    document = wallet.receive(link, tx_code)
    assert verified(document).verified
    issuing.revoke(None, cred, "Awarded in error")
    verification_services.reset()
    report = verified(document)
    assert not report.verified
    assert any("revok" in c.message.lower() for c in report.errors)


@pytest.mark.django_db
def test_a_p256_wallet_sending_a_jwk(client, course, learner):
    cred = award(course, ADA)
    client.force_login(learner(ADA))
    link, tx_code, _ = offer_from_page(client, cred)
    wallet = Wallet(ClientTransport(client.__class__()), key=ec.generate_private_key(
        ec.SECP256R1()))
    document = wallet.receive(link, tx_code)
    assert wallet.did.startswith("did:key:zDn")
    assert document["credentialSubject"]["id"] == wallet.did
    assert verified(document).verified


@pytest.mark.django_db
def test_a_draft_13_wallet_with_a_single_proof(client, course, learner):
    """Wallets of draft 13 (as the Learner Credential Wallet shipped it) send `format` and
    `proof`, and read `credential`; they take the c_nonce from the token response."""
    cred = award(course, ADA)
    client.force_login(learner(ADA))
    link, tx_code, _ = offer_from_page(client, cred)
    wallet = Wallet(ClientTransport(client.__class__()))
    wallet.read_offer(link)
    wallet.discover()
    assert wallet.redeem(tx_code).status == 200
    body = {"format": "ldp_vc", "proof": {"proof_type": "jwt",
                                         "jwt": wallet.proof(wallet.token["c_nonce"])}}
    answer = wallet.transport.post(wallet.issuer["credential_endpoint"], body=body,
                                   token=wallet.token["access_token"])
    assert answer.status == 200, answer.body
    assert answer.body["credential"]["credentialSubject"]["id"] == wallet.did


@pytest.mark.django_db
def test_a_learner_who_bound_a_did_gets_it_named(client, course, learner):
    from microdegree.records import services as records

    wallet = Wallet(ClientTransport(client.__class__()))
    user = learner(ADA)
    records.bind_did(user, wallet.did)
    cred = award(course, ADA)
    client.force_login(user)
    link, tx_code, _ = offer_from_page(client, cred)
    document = wallet.receive(link, tx_code)
    assert document["credentialSubject"]["id"] == wallet.did


def test_metadata_documents(client):
    issuer = client.get("/.well-known/openid-credential-issuer")
    assert issuer.status_code == 200
    body = issuer.json()
    assert body["credential_endpoint"].endswith("/oid4vci/credential")
    assert body["nonce_endpoint"].endswith("/oid4vci/nonce")
    definition = body["credential_configurations_supported"]["OpenBadgeCredential"][
        "credential_definition"]
    assert definition["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    server = client.get("/.well-known/oauth-authorization-server").json()
    assert "urn:ietf:params:oauth:grant-type:pre-authorized_code" in \
        server["grant_types_supported"]
    assert server["code_challenge_methods_supported"] == ["S256"]


@pytest.mark.django_db
def test_a_did_key_issuer_signs_the_copy_with_the_credentials_own_key(client, course,
                                                                      learner, institution):
    from microdegree.institutions import services as inst_services

    owner = institution.members.first().user
    inst_services.choose_did_method(owner, institution, "key")
    cred = award(course, ADA)
    issuer = json.loads(cred.document)["issuer"]["id"]
    assert issuer.startswith("did:key:")
    inst_services.rotate_key(owner, institution)  # the copy keeps the issuer id of the original
    client.force_login(learner(ADA))
    link, tx_code, _ = offer_from_page(client, cred)
    document = Wallet(ClientTransport(client.__class__())).receive(link, tx_code)
    assert document["issuer"]["id"] == issuer
    assert document["proof"][0]["verificationMethod"].startswith(issuer + "#")
    report = verified(document)
    assert report.verified, [c.message for c in report.errors]
