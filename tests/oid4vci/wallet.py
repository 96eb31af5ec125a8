"""A wallet written for the tests: it follows OpenID4VCI 1.0 as a holder's wallet does, with its
own key (Ed25519 did:key by default, or P-256 sent as a jwk), over a transport: real HTTP
against live_server, or the Django test client (the same requests, no socket).

offer link -> credential offer (credential_offer_uri) -> issuer metadata -> authorization
server metadata -> token (pre-authorized code, tx_code) -> nonce -> proof JWT -> credential.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from microdegree.oid4vci.proof import b64url, did_of
from microdegree.vc import did as vc_did
from microdegree.vc.keys import Ed25519Key

PRE_AUTHORIZED = "urn:ietf:params:oauth:grant-type:pre-authorized_code"


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: Any


class HttpTransport:
    """Real HTTP (urllib) to a live server."""

    def _send(self, request: urllib.request.Request) -> Answer:
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw, status, headers = response.read(), response.status, response.headers
        except urllib.error.HTTPError as exc:
            raw, status, headers = exc.read(), exc.code, exc.headers
        return Answer(status, {k.lower(): v for k, v in headers.items()},
                      json.loads(raw) if raw else None)

    def get(self, url: str) -> Answer:
        return self._send(urllib.request.Request(url, headers={"Accept": "application/json"}))

    def post(self, url: str, *, form: dict[str, str] | None = None, body: Any = None,
             token: str | None = None) -> Answer:
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if form is not None:
            data = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        else:
            data = json.dumps(body if body is not None else {}).encode()
            headers["Content-Type"] = "application/json"
        return self._send(urllib.request.Request(url, data=data, headers=headers,
                                                 method="POST"))


class ClientTransport:
    """The Django test client (no cookies of the learner: a wallet has none)."""

    def __init__(self, client: Any) -> None:
        self.client = client

    @staticmethod
    def _path(url: str) -> str:
        parts = urlsplit(url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def _answer(self, response: Any) -> Answer:
        body = json.loads(response.content) if response.content else None
        return Answer(response.status_code, {k.lower(): v for k, v in response.items()}, body)

    def get(self, url: str) -> Answer:
        return self._answer(self.client.get(self._path(url)))

    def post(self, url: str, *, form: dict[str, str] | None = None, body: Any = None,
             token: str | None = None) -> Answer:
        extra = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        if form is not None:
            return self._answer(self.client.post(self._path(url), form, **extra))
        return self._answer(self.client.post(self._path(url), json.dumps(body or {}),
                                             content_type="application/json", **extra))


@dataclass
class Wallet:
    transport: Any
    key: Ed25519Key | ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: Ed25519Key.from_seed(b"\x21" * 32))
    offer: dict[str, Any] = field(default_factory=dict)
    issuer: dict[str, Any] = field(default_factory=dict)
    server: dict[str, Any] = field(default_factory=dict)
    token: dict[str, Any] = field(default_factory=dict)

    @property
    def did(self) -> str:
        if isinstance(self.key, Ed25519Key):
            return vc_did.did_key(self.key)
        return did_of(self.key.public_key())

    # --- the steps, each checking what a wallet relies on -----------------------------------

    def read_offer(self, link: str) -> dict[str, Any]:
        parts = urlsplit(link)
        assert parts.scheme == "openid-credential-offer", link
        [uri] = parse_qs(parts.query)["credential_offer_uri"]
        answer = self.transport.get(uri)
        assert answer.status == 200, answer.body
        self.offer = answer.body
        return self.offer

    def discover(self) -> None:
        base = self.offer["credential_issuer"]
        answer = self.transport.get(f"{base}/.well-known/openid-credential-issuer")
        assert answer.status == 200, answer.body
        self.issuer = answer.body
        assert self.issuer["credential_issuer"] == base
        for configuration in self.offer["credential_configuration_ids"]:
            assert configuration in self.issuer["credential_configurations_supported"]
        server = self.issuer.get("authorization_servers", [base])[0]
        answer = self.transport.get(f"{server}/.well-known/oauth-authorization-server")
        assert answer.status == 200, answer.body
        self.server = answer.body
        assert self.server["issuer"] == server

    def redeem(self, tx_code: str | None, *, code: str | None = None) -> Answer:
        grant = self.offer["grants"][PRE_AUTHORIZED]
        form = {"grant_type": PRE_AUTHORIZED,
                "pre-authorized_code": code or grant["pre-authorized_code"]}
        if tx_code is not None:
            form["tx_code"] = tx_code
        answer = self.transport.post(self.server["token_endpoint"], form=form)
        if answer.status == 200:
            self.token = answer.body
        return answer

    def nonce(self) -> str:
        answer = self.transport.post(self.issuer["nonce_endpoint"])
        assert answer.status == 200, answer.body
        assert answer.headers.get("cache-control") == "no-store"
        return str(answer.body["c_nonce"])

    def proof(self, nonce: str, *, aud: str | None = None, iat: float | None = None,
              signer: Any = None, typ: str = "openid4vci-proof+jwt") -> str:
        """A proof JWT: Ed25519 keys name themselves by did:key kid, P-256 keys by jwk."""
        key = self.key
        if isinstance(key, Ed25519Key):
            header: dict[str, Any] = {"alg": "EdDSA", "typ": typ,
                                      "kid": f"{self.did}#{key.public_multibase}"}
        else:
            numbers = key.public_key().public_numbers()
            header = {"alg": "ES256", "typ": typ, "jwk": {
                "kty": "EC", "crv": "P-256", "x": b64url(numbers.x.to_bytes(32, "big")),
                "y": b64url(numbers.y.to_bytes(32, "big"))}}
        claims = {"aud": aud or self.issuer["credential_issuer"],
                  "iat": int(time.time() if iat is None else iat), "nonce": nonce}
        signing_input = (b64url(json.dumps(header).encode()) + "."
                         + b64url(json.dumps(claims).encode())).encode()
        signer = signer or key
        if isinstance(signer, Ed25519Key):
            signature = signer.sign(signing_input)
        else:
            r, s = decode_dss_signature(signer.sign(signing_input, ec.ECDSA(hashes.SHA256())))
            signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
        return signing_input.decode() + "." + b64url(signature)

    def identifiers(self) -> list[str]:
        [detail] = self.token["authorization_details"]
        assert detail["type"] == "openid_credential"
        return list(detail["credential_identifiers"])

    def request(self, proof_jwt: str, identifier: str | None = None,
                token: str | None = None) -> Answer:
        body = {"credential_identifier": identifier or self.identifiers()[0],
                "proofs": {"jwt": [proof_jwt]}}
        return self.transport.post(self.issuer["credential_endpoint"], body=body,
                                   token=token or self.token["access_token"])

    def receive(self, link: str, tx_code: str | None) -> dict[str, Any]:
        """The whole flow; the credential received."""
        self.read_offer(link)
        self.discover()
        answer = self.redeem(tx_code)
        assert answer.status == 200, answer.body
        answer = self.request(self.proof(self.nonce()))
        assert answer.status == 200, answer.body
        [item] = answer.body["credentials"]
        return dict(item["credential"])
