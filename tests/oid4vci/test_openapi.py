"""The OpenID4VCI API's OpenAPI description is generated from its schemas, and the token
answer a wallet gets has the shape it declares."""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator

from microdegree.oid4vci.openapi import document

from .conftest import award, offer_from_page
from .wallet import ClientTransport, Wallet


def test_every_endpoint_is_described():
    paths = document()["paths"]
    assert set(paths) == {
        "/.well-known/openid-credential-issuer", "/.well-known/oauth-authorization-server",
        "/oid4vci/offers/{token}", "/oid4vci/token", "/oid4vci/nonce", "/oid4vci/credential"}
    form = paths["/oid4vci/token"]["post"]["requestBody"]["content"]
    properties = form["application/x-www-form-urlencoded"]["schema"]["properties"]
    assert {"grant_type", "pre-authorized_code", "tx_code"} <= set(properties)


@pytest.mark.django_db
def test_the_token_and_credential_answers_match_their_schemas(client, course, learner):
    spec = document()
    schemas = spec["components"]["schemas"]

    def check(name, body):
        Draft202012Validator({"$ref": f"#/components/schemas/{name}",
                              "components": {"schemas": schemas}}).validate(body)

    cred = award(course, "ada@example.org")
    client.force_login(learner("ada@example.org"))
    link, tx_code, _ = offer_from_page(client, cred)
    wallet = Wallet(ClientTransport(client.__class__()))
    wallet.read_offer(link)
    wallet.discover()
    token = wallet.redeem(tx_code)
    check("TokenResponse", token.body)
    answer = wallet.request(wallet.proof(wallet.nonce()))
    check("CredentialResponse", answer.body)
    check("Error", wallet.request(wallet.proof("x")).body)
