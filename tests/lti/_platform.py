"""A real LTI 1.3 platform for the tests: its own RS256 key and JWKS, an OpenID configuration,
an LTI Dynamic Registration endpoint, a client-credentials token endpoint that checks the
tool's JWT assertion against the tool's JWKS, and an AGS results endpoint. Served over HTTP on
127.0.0.1 by a thread the test starts; the tool reaches it through its SSRF-safe fetcher."""

from __future__ import annotations

import json
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
DL_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
RESULT_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"


def rsa_key(kid: str) -> tuple[Any, dict[str, Any]]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(RSAAlgorithm.to_jwk(private.public_key()))
    public.update(kid=kid, alg="RS256", use="sig")
    return private, public


@dataclass
class Platform:
    """Start with `start()`, stop with `stop()`; `issuer` is its base URL."""

    registration_token: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    client_id: str = field(default_factory=lambda: f"client-{uuid.uuid4().hex[:8]}")
    deployment_id: str = "deployment-1"
    tool_jwks: dict[str, Any] | None = None  # the tool's keys: the token endpoint checks with them
    results: list[dict[str, Any]] = field(default_factory=list)
    registrations: list[dict[str, Any]] = field(default_factory=list)
    token_requests: list[dict[str, Any]] = field(default_factory=list)
    tokens: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.kid = f"platform-{uuid.uuid4().hex[:6]}"
        self.private, self.public = rsa_key(self.kid)
        self._server: ThreadingHTTPServer | None = None

    # --- the server ------------------------------------------------------------------------

    def start(self) -> Platform:
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: Any, ctype: str = "application/json") -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                path = urlsplit(self.path).path
                if path == "/.well-known/openid-configuration":
                    self._send(200, platform.openid_configuration())
                elif path == "/jwks":
                    self._send(200, {"keys": [platform.public]})
                elif path == "/lineitems/1/results":
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    if token not in platform.tokens:
                        self._send(401, {"error": "invalid_token"})
                    else:
                        self._send(200, platform.results,
                                   "application/vnd.ims.lis.v2.resultcontainer+json")
                else:
                    self._send(404, {"error": "not found"})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                path = urlsplit(self.path).path
                if path == "/register":
                    auth = self.headers.get("Authorization", "")
                    if auth != f"Bearer {platform.registration_token}":
                        self._send(401, {"error": "invalid registration token"})
                        return
                    request = json.loads(body)
                    platform.registrations.append(request)
                    self._send(200, {**request, "client_id": platform.client_id,
                                     "https://purl.imsglobal.org/spec/lti-tool-configuration": {
                                         **request["https://purl.imsglobal.org/spec/lti-tool-configuration"],
                                         "deployment_id": platform.deployment_id}})
                elif path == "/token":
                    form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
                    platform.token_requests.append(form)
                    status, answer = platform.token(form)
                    self._send(status, answer)
                else:
                    self._send(404, {"error": "not found"})

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def issuer(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def openid_configuration(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/auth",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "registration_endpoint": f"{self.issuer}/register",
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", RESULT_SCOPE],
            "https://purl.imsglobal.org/spec/lti-platform-configuration": {
                "product_family_code": "test-platform", "version": "1.0",
                "messages_supported": [{"type": "LtiResourceLinkRequest"},
                                       {"type": "LtiDeepLinkingRequest"}]},
        }

    # --- the client-credentials grant (RFC 7523 JWT bearer assertion) -------------------------

    def token(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        bearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
        if (form.get("grant_type") != "client_credentials"
                or form.get("client_assertion_type") != bearer):
            return 400, {"error": "unsupported_grant_type"}
        assertion = form.get("client_assertion", "")
        kid = jwt.get_unverified_header(assertion).get("kid")
        keys = [k for k in (self.tool_jwks or {}).get("keys", []) if k.get("kid") == kid]
        if not keys:
            return 401, {"error": "invalid_client"}
        try:
            claims = jwt.decode(assertion, RSAAlgorithm.from_jwk(json.dumps(keys[0])),
                                algorithms=["RS256"], audience=f"{self.issuer}/token")
        except jwt.InvalidTokenError as exc:
            return 401, {"error": "invalid_client", "error_description": str(exc)}
        if claims.get("iss") != self.client_id or claims.get("sub") != self.client_id:
            return 401, {"error": "invalid_client"}
        token = secrets.token_urlsafe(16)
        self.tokens.add(token)
        return 200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600,
                     "scope": form.get("scope", "")}

    # --- messages --------------------------------------------------------------------------

    def id_token(self, nonce: str, *, message_type: str = "LtiResourceLinkRequest",
                 sub: str = "learner-1", email: str = "lea@learner.example",
                 roles: tuple[str, ...] = (LEARNER,), resource_link_id: str = "rl-1",
                 custom: dict[str, str] | None = None, ags: bool = True,
                 target: str = "", aud: str | None = None, deployment_id: str | None = None,
                 key: Any = None, kid: str | None = None,
                 extra: dict[str, Any] | None = None) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer, "aud": aud or self.client_id, "sub": sub, "iat": now,
            "exp": now + 300, "nonce": nonce, "email": email, "name": "Lea Learner",
            LTI + "message_type": message_type, LTI + "version": "1.3.0",
            LTI + "deployment_id": deployment_id or self.deployment_id,
            LTI + "target_link_uri": target, LTI + "roles": list(roles),
            LTI + "context": {"id": "course-7", "title": "Statistics 101"},
        }
        if message_type == "LtiResourceLinkRequest":
            claims[LTI + "resource_link"] = {"id": resource_link_id, "title": "Final quiz"}
            if custom:
                claims[LTI + "custom"] = custom
            if ags:
                claims[AGS_CLAIM] = {"scope": [RESULT_SCOPE],
                                     "lineitem": f"{self.issuer}/lineitems/1"}
        else:
            claims[DL_SETTINGS] = {"deep_link_return_url": f"{self.issuer}/deep-link-return",
                                   "accept_types": ["ltiResourceLink"],
                                   "accept_presentation_document_targets": ["iframe", "window"],
                                   "data": "opaque-42"}
        claims.update(extra or {})
        return jwt.encode(claims, key or self.private, algorithm="RS256",
                          headers={"kid": kid or self.kid})

    def verify_tool_jwt(self, token: str) -> dict[str, Any]:
        """A deep-linking answer from the tool, checked with the tool's JWKS."""
        kid = jwt.get_unverified_header(token)["kid"]
        key = next(k for k in (self.tool_jwks or {})["keys"] if k["kid"] == kid)
        return jwt.decode(token, RSAAlgorithm.from_jwk(json.dumps(key)), algorithms=["RS256"],
                          audience=self.issuer)
