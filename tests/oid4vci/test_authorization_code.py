"""The authorization code flow: a wallet registered as a public client sends the signed-in
learner through the consent page (PKCE S256), then takes the learner's credentials."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.conf import settings
from oauth2_provider.models import get_application_model

from .conftest import award, offer_from_page
from .wallet import ClientTransport, Wallet

pytestmark = pytest.mark.django_db

ADA = "ada@example.org"
REDIRECT = "https://wallet.example/callback"


@pytest.fixture
def wallet_app():
    Application = get_application_model()
    return Application.objects.create(
        name="Example Wallet", client_type=Application.CLIENT_PUBLIC,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=REDIRECT, skip_authorization=False)


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()
                                         ).rstrip(b"=").decode()
    return verifier, challenge


def wallet_for(client) -> Wallet:
    """A wallet that starts from the issuer (no offer), as wallet-initiated issuance does."""
    wallet = Wallet(ClientTransport(client.__class__()))
    wallet.offer = {"credential_issuer": settings.PUBLIC_URL,
                    "credential_configuration_ids": ["OpenBadgeCredential"]}
    wallet.discover()
    return wallet


def consent(client, app, scope: str, challenge: str, *, words: bool = True,
            issuer_state: str | None = None) -> str:
    """The learner allows the wallet on the consent page; the authorization code."""
    params = {"response_type": "code", "client_id": app.client_id, "redirect_uri": REDIRECT,
              "scope": scope, "state": "s1", "code_challenge": challenge,
              "code_challenge_method": "S256"}
    if issuer_state is not None:
        params["issuer_state"] = issuer_state
    url = "/oid4vci/authorize?" + urlencode(params)
    page = client.get(url)
    assert page.status_code == 200, page.content
    assert ("Receive copies of your credentials" in page.content.decode()) is words
    data = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    answer = client.post(url, {**data, "allow": "on"})
    assert answer.status_code == 302, answer.content
    query = parse_qs(urlsplit(answer["Location"]).query)
    assert query["state"] == ["s1"]
    return query["code"][0]


def test_a_signed_in_learner_lets_a_wallet_take_her_credentials(client, course, learner,
                                                                 wallet_app):
    first, second = award(course, ADA), award(course, ADA)
    award(course, "ben@example.org")  # someone else's: never offered
    client.force_login(learner(ADA))
    wallet = wallet_for(client)
    verifier, challenge = pkce()
    code = consent(client, wallet_app, "OpenBadgeCredential", challenge)
    answer = wallet.transport.post(wallet.server["token_endpoint"], form={
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
        "client_id": wallet_app.client_id, "code_verifier": verifier})
    assert answer.status == 200, answer.body
    wallet.token = answer.body
    assert "refresh_token" not in answer.body  # one visit, no lasting access
    assert sorted(wallet.identifiers()) == sorted([str(first.uuid), str(second.uuid)])
    for identifier in wallet.identifiers():
        got = wallet.request(wallet.proof(wallet.nonce()), identifier=identifier)
        assert got.status == 200, got.body
        assert got.body["credentials"][0]["credential"]["credentialSubject"]["id"] == wallet.did


def test_without_pkce_there_is_no_code(client, course, learner, wallet_app):
    client.force_login(learner(ADA))
    page = client.get("/oid4vci/authorize?" + urlencode({
        "response_type": "code", "client_id": wallet_app.client_id, "redirect_uri": REDIRECT,
        "scope": "OpenBadgeCredential", "state": "s1"}))
    assert page.status_code == 302
    assert parse_qs(urlsplit(page["Location"]).query)["error"] == ["invalid_request"]


def test_a_token_for_the_open_badges_api_gets_no_credential(client, course, learner,
                                                            wallet_app):
    award(course, ADA)
    client.force_login(learner(ADA))
    wallet = wallet_for(client)
    verifier, challenge = pkce()
    code = consent(client, wallet_app,
                   "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.readonly",
                   challenge, words=False)
    answer = wallet.transport.post(wallet.server["token_endpoint"], form={
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
        "client_id": wallet_app.client_id, "code_verifier": verifier})
    assert answer.status == 200, answer.body
    assert "authorization_details" not in answer.body
    got = wallet.request(wallet.proof(wallet.nonce()), identifier="x",
                         token=answer.body["access_token"])
    assert got.status == 401
    assert got.body["error"] == "invalid_token"


def test_an_offer_taken_through_the_authorization_code_flow(client, course, learner,
                                                            wallet_app):
    """The offer's `authorization_code` grant: its issuer_state ties the learner's consent to
    the offered credential only, and the offer is used up (its pre-authorized code too)."""
    offered, other = award(course, ADA), award(course, ADA)
    client.force_login(learner(ADA))
    link, tx_code, _ = offer_from_page(client, offered)
    wallet = Wallet(ClientTransport(client.__class__()))
    wallet.read_offer(link)
    wallet.discover()
    state = wallet.offer["grants"]["authorization_code"]["issuer_state"]
    verifier, challenge = pkce()
    code = consent(client, wallet_app, "OpenBadgeCredential", challenge, issuer_state=state)
    answer = wallet.transport.post(wallet.server["token_endpoint"], form={
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
        "client_id": wallet_app.client_id, "code_verifier": verifier})
    assert answer.status == 200, answer.body
    wallet.token = answer.body
    assert wallet.identifiers() == [str(offered.uuid)]
    got = wallet.request(wallet.proof(wallet.nonce()), identifier=str(other.uuid))
    assert got.status == 400
    assert got.body["error"] == "unknown_credential_identifier"
    got = wallet.request(wallet.proof(wallet.nonce()))
    assert got.status == 200, got.body
    assert wallet.redeem(tx_code).status == 400  # the offer is used


def test_another_learners_issuer_state_is_refused(client, course, learner, wallet_app):
    cred = award(course, ADA)
    client.force_login(learner(ADA))
    link, _tx, _ = offer_from_page(client, cred)
    wallet = Wallet(ClientTransport(client.__class__()))
    wallet.read_offer(link)
    state = wallet.offer["grants"]["authorization_code"]["issuer_state"]
    other = client.__class__()
    other.force_login(learner("ben@example.org"))
    _verifier, challenge = pkce()
    page = other.get("/oid4vci/authorize?" + urlencode({
        "response_type": "code", "client_id": wallet_app.client_id, "redirect_uri": REDIRECT,
        "scope": "OpenBadgeCredential", "state": "s1", "code_challenge": challenge,
        "code_challenge_method": "S256", "issuer_state": state}))
    assert page.status_code == 400
    assert "not yours" in page.content.decode()
