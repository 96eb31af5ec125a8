"""OpenID4VCI attacks, each over HTTP with the test wallet: a proof by the wrong key, a wrong or
replayed c_nonce, a replayed pre-authorized code, a wrong or guessed transaction code, a proof
for another issuer or an old one, another learner's credential, a token endpoint hammered, and
secrets stored in clear."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from microdegree.oid4vci.models import AccessGrant, CredentialOffer, Delivery
from microdegree.vc.keys import Ed25519Key
from tests.oid4vci.conftest import *  # noqa: F403 - the fixtures course, learner and _fresh
from tests.oid4vci.conftest import award, offer_from_page
from tests.oid4vci.wallet import ClientTransport, Wallet

pytestmark = pytest.mark.django_db

ADA, BEN = "ada@example.org", "ben@example.org"


@pytest.fixture
def offered(client, course, learner):
    """Ada's credential offered on her page; a wallet that has read the offer and metadata."""
    cred = award(course, ADA)
    client.force_login(learner(ADA))
    link, tx_code, _ = offer_from_page(client, cred)
    wallet = Wallet(ClientTransport(client.__class__()))
    wallet.read_offer(link)
    wallet.discover()
    return cred, wallet, tx_code


@pytest.fixture
def redeemed(offered):
    cred, wallet, tx_code = offered
    assert wallet.redeem(tx_code).status == 200
    return cred, wallet


def refused(answer, status, error):
    assert answer.status == status, answer.body
    assert answer.body["error"] == error, answer.body
    assert answer.body["error_description"]
    return answer


def test_a_proof_signed_by_another_key_than_it_names(redeemed):
    _, wallet = redeemed
    thief = Ed25519Key.from_seed(b"\x66" * 32)
    proof = wallet.proof(wallet.nonce(), signer=thief)  # kid names the wallet's key
    refused(wallet.request(proof), 400, "invalid_proof")
    assert not Delivery.objects.exists()


def test_a_nonce_that_is_not_ours(redeemed):
    _, wallet = redeemed
    refused(wallet.request(wallet.proof("made-up-nonce")), 400, "invalid_nonce")


def test_an_expired_or_forged_c_nonce(redeemed):
    from microdegree.oid4vci import services

    _, wallet = redeemed
    body = f"{int(timezone.now().timestamp()) - 600}.AAAAAAAAAAAAAAAAAAAAAA"
    expired = f"{body}.{services._nonce_mac(body)}"  # as the endpoint made it 15 minutes ago
    refused(wallet.request(wallet.proof(expired)), 400, "invalid_nonce")
    fresh = wallet.nonce()
    later = str(int(fresh.split(".")[0]) + 3600)
    forged = ".".join([later, *fresh.split(".")[1:]])  # a longer life, the old MAC
    refused(wallet.request(wallet.proof(forged)), 400, "invalid_nonce")


def test_the_nonce_endpoint_writes_nothing(redeemed):
    from microdegree.oid4vci.models import Nonce

    _, wallet = redeemed
    for _ in range(5):
        wallet.nonce()
    assert not Nonce.objects.exists()


def test_a_c_nonce_used_twice(redeemed):
    _, wallet = redeemed
    nonce = wallet.nonce()
    assert wallet.request(wallet.proof(nonce)).status == 200
    refused(wallet.request(wallet.proof(nonce, iat=None)), 400, "invalid_nonce")
    assert Delivery.objects.count() == 1


def test_the_same_proof_replayed(redeemed):
    _, wallet = redeemed
    proof = wallet.proof(wallet.nonce())
    assert wallet.request(proof).status == 200
    refused(wallet.request(proof), 400, "invalid_nonce")


def test_a_pre_authorized_code_used_twice(offered):
    _, wallet, tx_code = offered
    assert wallet.redeem(tx_code).status == 200
    refused(wallet.redeem(tx_code), 400, "invalid_grant")


def test_an_expired_pre_authorized_code(offered):
    _, wallet, tx_code = offered
    CredentialOffer.objects.update(expires_at=timezone.now())
    refused(wallet.redeem(tx_code), 400, "invalid_grant")


def test_a_wrong_or_missing_transaction_code(offered):
    _, wallet, tx_code = offered
    refused(wallet.redeem(None), 400, "invalid_request")
    wrong = "000000" if tx_code != "000000" else "111111"
    refused(wallet.redeem(wrong), 400, "invalid_grant")
    assert wallet.redeem(tx_code).status == 200  # the learner's own code still works


def test_guessing_the_transaction_code_burns_the_offer(offered):
    _, wallet, tx_code = offered
    wrong = "000000" if tx_code != "000000" else "111111"
    for _ in range(5):
        refused(wallet.redeem(wrong), 400, "invalid_grant")
    refused(wallet.redeem(tx_code), 400, "invalid_grant")
    assert CredentialOffer.objects.get().burnt


def test_a_guessed_pre_authorized_code(offered):
    _, wallet, tx_code = offered
    refused(wallet.redeem(tx_code, code="0" * 64), 400, "invalid_grant")


@pytest.mark.parametrize("change", ["aud", "typ", "old", "future"])
def test_a_proof_for_another_issuer_of_another_type_or_time(redeemed, change):
    _, wallet = redeemed
    nonce = wallet.nonce()
    now = timezone.now().timestamp()
    proof = {"aud": lambda: wallet.proof(nonce, aud="https://other-issuer.example"),
             "typ": lambda: wallet.proof(nonce, typ="JWT"),
             "old": lambda: wallet.proof(nonce, iat=now - 3600),
             "future": lambda: wallet.proof(nonce, iat=now + 3600)}[change]()
    refused(wallet.request(proof), 400, "invalid_proof")


def test_an_unsigned_proof(redeemed):
    _, wallet = redeemed
    good = wallet.proof(wallet.nonce())
    header = "eyJhbGciOiJub25lIiwidHlwIjoib3BlbmlkNHZjaS1wcm9vZitqd3QifQ"  # alg none
    refused(wallet.request(f"{header}.{good.split('.')[1]}."), 400, "invalid_proof")


def test_a_key_other_than_the_did_the_learner_bound(client, course, learner):
    from microdegree.records import services as records

    user = learner(ADA)
    records.bind_did(user, "did:key:" + Ed25519Key.from_seed(b"\x07" * 32).public_multibase)
    cred = award(course, ADA)
    client.force_login(user)
    link, tx_code, _ = offer_from_page(client, cred)
    wallet = Wallet(ClientTransport(client.__class__()))
    wallet.read_offer(link)
    wallet.discover()
    assert wallet.redeem(tx_code).status == 200
    refused(wallet.request(wallet.proof(wallet.nonce())), 400, "invalid_proof")


def test_another_learners_credential(redeemed, client, course, learner):
    cred, wallet = redeemed
    bens = award(course, BEN)
    learner(BEN)
    refused(wallet.request(wallet.proof(wallet.nonce()), identifier=str(bens.uuid)), 400,
            "unknown_credential_identifier")
    # and no offer of Ada's credential for Ben, whose page says there is no such credential
    other = client.__class__()
    other.force_login(learner("carl@example.org"))
    assert other.post(f"/me/credentials/p-{cred.uuid}/oid4vci").status_code == 404


def test_a_credential_revoked_after_the_offer(redeemed):
    from microdegree.issuing import services as issuing

    cred, wallet = redeemed
    issuing.revoke(None, cred, "Awarded in error")
    refused(wallet.request(wallet.proof(wallet.nonce())), 400, "credential_request_denied")


def test_no_token_or_a_made_up_one(offered):
    _, wallet, _ = offered
    proof = wallet.proof(wallet.nonce())
    for token in ("mdv_made-up", "something-else"):
        answer = refused(wallet.request(proof, identifier="x", token=token), 401,
                         "invalid_token")
        assert answer.headers["www-authenticate"].startswith("Bearer ")


def test_an_expired_access_token(redeemed):
    _, wallet = redeemed
    AccessGrant.objects.update(expires_at=timezone.now())
    refused(wallet.request(wallet.proof(wallet.nonce())), 401, "invalid_token")


def test_the_token_endpoint_is_rate_limited(offered):
    _, wallet, tx_code = offered
    for _ in range(30):
        refused(wallet.redeem(tx_code, code="guess"), 400, "invalid_grant")
    refused(wallet.redeem(tx_code), 429, "slow_down")


def test_no_secret_is_stored_in_clear(redeemed):
    _, wallet = redeemed
    grant = wallet.offer["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"]
    secrets = [wallet.token["access_token"], grant["pre-authorized_code"],
               wallet.token["c_nonce"]]
    tables = [m._meta.db_table for m in (CredentialOffer, AccessGrant)] + ["oid4vci_nonce"]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {table}")
            rows = " ".join(str(value) for row in cursor.fetchall() for value in row)
            for secret in secrets:
                assert secret not in rows


def _b64(value) -> str:
    import base64
    import json

    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


MALFORMED_PROOFS = [
    "", "a.b", "a.b.c.d", "!!!.!!!.!!!", "x" * 9000,
    f"{_b64([1])}.{_b64({})}.",
    f"{_b64({'alg': 'EdDSA', 'typ': 'openid4vci-proof+jwt', 'jwk': [1]})}.{_b64({})}.",
    f"{_b64({'alg': 'EdDSA', 'typ': 'openid4vci-proof+jwt', 'kid': 5})}.{_b64({})}.",
    f"{_b64({'alg': 'EdDSA', 'typ': 'openid4vci-proof+jwt', 'kid': 'did:key:z0OIl'})}.e30.",
    f"{_b64({'alg': 'ES256', 'typ': 'openid4vci-proof+jwt', 'jwk': {'kty': 'EC', 'crv': 'P-256', 'x': 'AA', 'y': 'AA'}})}.e30.",  # noqa: E501
    f"{_b64({'alg': 'ES256', 'typ': 'openid4vci-proof+jwt', 'jwk': {'kty': 'EC', 'crv': 'P-256', 'x': _b64(b'1' * 32), 'y': _b64(b'2' * 32)}})}.e30.",  # noqa: E501
    f"{_b64({'alg': 'EdDSA', 'typ': 'openid4vci-proof+jwt', 'jwk': {'kty': 'OKP', 'crv': 'Ed25519', 'x': _b64(b'1' * 32), 'd': 'x'}})}.e30.",  # noqa: E501
    f"{_b64({'alg': 'HS256', 'typ': 'openid4vci-proof+jwt', 'kid': 'x'})}.e30.",
]


@pytest.mark.parametrize("proof", MALFORMED_PROOFS)
def test_malformed_proofs_are_4xx_with_a_sentence(redeemed, proof):
    _, wallet = redeemed
    answer = wallet.request(proof)
    assert answer.status == 400, answer.body
    assert answer.body["error"] in ("invalid_proof", "invalid_nonce")
    assert answer.body["error_description"]


@pytest.mark.parametrize("body", [
    [], "text", {"proofs": {"jwt": []}}, {"proofs": {"jwt": [1]}}, {"proofs": "x"},
    {"proof": {"proof_type": "cwt", "cwt": "x"}}, {"credential_identifier": ["x"]},
    {"credential_configuration_id": "Other", "proofs": {"jwt": ["a.b.c"]}},
])
def test_malformed_credential_requests_are_400(redeemed, body):
    _, wallet = redeemed
    answer = wallet.transport.post(wallet.issuer["credential_endpoint"], body=body,
                                   token=wallet.token["access_token"])
    assert answer.status == 400, answer.body
    assert answer.body["error_description"]


def test_a_credential_request_that_is_not_json(redeemed, client):
    _, wallet = redeemed
    answer = client.post("/oid4vci/credential", b"\xff{", content_type="application/json",
                         HTTP_AUTHORIZATION=f"Bearer {wallet.token['access_token']}")
    assert answer.status_code == 400
    assert answer.json()["error_description"]


@pytest.mark.parametrize("form", [
    {}, {"grant_type": "password", "username": "a", "password": "b"},
    {"grant_type": "urn:ietf:params:oauth:grant-type:pre-authorized_code"},
    {"grant_type": "urn:ietf:params:oauth:grant-type:pre-authorized_code",
     "pre-authorized_code": "x" * 500},
    {"grant_type": "authorization_code", "code": "nope", "redirect_uri": "https://x.example/",
     "client_id": "nobody", "code_verifier": "v" * 50},
])
def test_malformed_token_requests_are_4xx(client, form):
    answer = client.post("/oid4vci/token", form)
    assert 400 <= answer.status_code < 500, answer.content
    assert answer.json()["error"]
