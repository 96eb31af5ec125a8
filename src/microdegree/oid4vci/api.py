"""The OpenID4VCI endpoints (django-ninja Router, typed schemas), answers in the spec's shapes.

- `GET /.well-known/openid-credential-issuer`, `GET /.well-known/oauth-authorization-server`
- `GET /oid4vci/offers/{token}`: the credential offer a `credential_offer_uri` names
- `POST /oid4vci/token` (form): the pre-authorized code grant here; `authorization_code`
  through django-oauth-toolkit's token view (PKCE S256), answered with the learner's
  `authorization_details` added and without a refresh token
- `POST /oid4vci/nonce`: a fresh `c_nonce`
- `POST /oid4vci/credential` (Bearer): the credential, bound to the wallet's key proof

Errors are `{"error", "error_description"}` (RFC 6749 §5.2, OpenID4VCI §8.3.1.2), with
`Cache-Control: no-store` on everything that carries a secret.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import orjson
from django.http import HttpRequest, HttpResponse
from ninja import Field, Form, NinjaAPI, Router, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer
from oauth2_provider.models import get_access_token_model, get_refresh_token_model
from oauth2_provider.oauth2_backends import get_oauthlib_core
from oauth2_provider.views import TokenView
from pydantic import ConfigDict

from microdegree.base.client_ip import client_ip
from microdegree.oid4vci import metadata, services
from microdegree.oid4vci.services import Authorised, Oid4vciError

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _json(body: Any, status: int = 200, *, secret: bool = True) -> HttpResponse:
    response = HttpResponse(orjson.dumps(body), status=status, content_type="application/json")
    for name, value in (NO_STORE if secret else {}).items():
        response[name] = value
    return response


# --- schemas ---------------------------------------------------------------------------------


class Error(Schema):
    error: str
    error_description: str


class TokenRequest(Schema):
    """The token request (form-encoded); the authorization code grant's own parameters go to
    the toolkit unchanged."""

    model_config = ConfigDict(populate_by_name=True, extra="allow")

    grant_type: str
    pre_authorized_code: str | None = Field(None, alias="pre-authorized_code", max_length=200)
    tx_code: str | None = Field(None, max_length=20)


class AuthorizationDetail(Schema):
    type: str
    credential_configuration_id: str
    credential_identifiers: list[str]


class TokenResponse(Schema):
    access_token: str
    token_type: str
    expires_in: int
    authorization_details: list[AuthorizationDetail]
    c_nonce: str | None = Field(None, description="for wallets of draft 13; 1.0 wallets ask "
                                "the nonce endpoint")
    c_nonce_expires_in: int | None = None


class NonceResponse(Schema):
    c_nonce: str


class JwtProofs(Schema):
    jwt: list[str] = Field(..., min_length=1, max_length=1)


class LegacyProof(Schema):
    proof_type: str
    jwt: str | None = None


class CredentialRequest(Schema):
    model_config = ConfigDict(extra="allow")

    credential_identifier: str | None = Field(None, max_length=100)
    credential_configuration_id: str | None = Field(None, max_length=100)
    proofs: JwtProofs | None = None
    proof: LegacyProof | None = Field(None, description="draft 13's single proof")
    format: str | None = Field(None, description="draft 13: ldp_vc")


class IssuedItem(Schema):
    credential: dict[str, Any]


class CredentialResponse(Schema):
    credentials: list[IssuedItem]
    credential: dict[str, Any] | None = Field(None, description="draft 13's single "
                                              "credential, for requests in that form")


# --- the API ---------------------------------------------------------------------------------

router = Router(tags=["OpenID4VCI"])
api = NinjaAPI(title="Microdegree OpenID4VCI", version="1", urls_namespace="oid4vci",
               openapi_url=None, docs_url=None)


@api.exception_handler(Oid4vciError)
def _oid4vci_error(request: HttpRequest, exc: Oid4vciError) -> HttpResponse:
    response = _json({"error": exc.error, "error_description": exc.description}, exc.status)
    if exc.status == 401:
        response["WWW-Authenticate"] = (f'Bearer error="{exc.error}", '
                                        f'error_description="{exc.description}"')
    return response


@api.exception_handler(NinjaValidationError)
def _invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    first = exc.errors[0] if exc.errors else {}
    where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body", "form", "data"))
    error = "invalid_credential_request" if request.path.endswith("/credential") \
        else "invalid_request"
    return _json({"error": error, "error_description":
                  f"{where or 'request'}: {first.get('msg', 'invalid')}"}, 400)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """ninja's own refusals (a body that is not JSON, ...), in the OAuth error shape."""
    error = "invalid_credential_request" if request.path.endswith("/credential") \
        else "invalid_request"
    return _json({"error": error, "error_description": f"The request is malformed: {exc}."},
                 exc.status_code if 400 <= exc.status_code < 500 else 400)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _oid4vci_error(request, Oid4vciError(
        "invalid_token", "Send a valid access token: Authorization: Bearer <token>.", 401))


@router.get("/.well-known/openid-credential-issuer", response=dict[str, Any],
            summary="Credential issuer metadata", operation_id="oid4vciIssuerMetadata")
def issuer_metadata(request: HttpRequest) -> HttpResponse:
    response = _json(metadata.credential_issuer(), secret=False)
    response["Access-Control-Allow-Origin"] = "*"
    return response


@router.get("/.well-known/oauth-authorization-server", response=dict[str, Any],
            summary="Authorization server metadata (RFC 8414)",
            operation_id="oid4vciAuthorizationServerMetadata")
def authorization_server_metadata(request: HttpRequest) -> HttpResponse:
    response = _json(metadata.authorization_server(), secret=False)
    response["Access-Control-Allow-Origin"] = "*"
    return response


@router.get("/oid4vci/offers/{token}", response={200: dict[str, Any], 404: Error},
            summary="A credential offer (by reference)", operation_id="oid4vciOffer")
def offer(request: HttpRequest, token: str) -> HttpResponse:
    return _json(services.offer_document(token[:100]))


@router.post("/oid4vci/token", response={200: TokenResponse, 400: Error, 401: Error,
                                         429: Error},
             summary="Token endpoint", operation_id="oid4vciToken")
def token(request: HttpRequest, data: Form[TokenRequest]) -> HttpResponse:
    ip = client_ip(request)
    if services.rate_limited(ip):
        raise Oid4vciError("slow_down", "Too many failed token requests from your network: "
                           "try again in a few minutes.", 429)
    if data.grant_type == "authorization_code":
        return _toolkit_token(request, ip)
    if data.grant_type != services.PRE_AUTHORIZED_GRANT:
        services.note_attempt(ip, False)
        raise Oid4vciError("unsupported_grant_type", "The grant types are authorization_code "
                           f"and {services.PRE_AUTHORIZED_GRANT}.")
    if not data.pre_authorized_code:
        services.note_attempt(ip, False)
        raise Oid4vciError("invalid_request", "Send the pre-authorized_code of the offer.")
    try:
        raw, grant = services.redeem(data.pre_authorized_code, data.tx_code)
    except Oid4vciError:
        services.note_attempt(ip, False)
        raise
    services.note_attempt(ip, True)
    body = {"access_token": raw, "token_type": "Bearer",
            "expires_in": int(services.ACCESS_LIFETIME.total_seconds()),
            "authorization_details": services.authorization_details(
                services.offered_credentials(grant.offer)),
            "c_nonce": services.new_nonce(),
            "c_nonce_expires_in": int(services.NONCE_LIFETIME.total_seconds())}
    return _json(body)


def _toolkit_token(request: HttpRequest, ip: str | None) -> HttpResponse:
    """The authorization code grant, by django-oauth-toolkit (PKCE, client checks, hashed
    tokens), with what the wallet needs added to its answer."""
    code = request.POST.get("code", "") if request.POST.get("grant_type") == \
        "authorization_code" else ""
    response: HttpResponse = TokenView.as_view()(request)
    if response.status_code != 200:
        services.note_attempt(ip, False)
        return response
    body = json.loads(response.content)
    checksum = hashlib.sha256(str(body.get("access_token", "")).encode()).hexdigest()
    access = get_access_token_model().objects.filter(
        token_checksum=checksum).select_related("user").first()
    if access is None or access.user is None or services.SCOPE not in access.scope.split():
        return response  # another API's token: passed through as the toolkit made it
    try:
        offer = services.redeem_authorization(code, checksum) if code else \
            services.offer_of_token(checksum)
    except Oid4vciError:
        access.revoke()
        services.note_attempt(ip, False)
        raise
    services.note_attempt(ip, True)
    # No refresh token: a wallet's access is one short visit (refreshed at the Open Badges API's
    # token endpoint it would outlive its offer).
    get_refresh_token_model().objects.filter(access_token=access).delete()
    body.pop("refresh_token", None)
    body["authorization_details"] = services.authorization_details(
        services.offered_credentials(offer) if offer is not None
        else services.record_credentials(access.user))
    body["c_nonce"] = services.new_nonce()
    body["c_nonce_expires_in"] = int(services.NONCE_LIFETIME.total_seconds())
    return _json(body)


@router.post("/oid4vci/nonce", response=NonceResponse, summary="Nonce endpoint",
             operation_id="oid4vciNonce")
def nonce(request: HttpRequest) -> HttpResponse:
    return _json({"c_nonce": services.new_nonce()})


class AccessToken(HttpBearer):
    """Our pre-authorized code flow's tokens, or the toolkit's with the OpenID4VCI scope."""

    def authenticate(self, request: HttpRequest, token: str) -> Authorised | None:
        grant = services.grant_for(token.strip())
        if grant is not None:
            return Authorised(user=grant.offer.user, flow="pre-authorized_code",
                              credentials=services.offered_credentials(grant.offer))
        valid, oauth_request = get_oauthlib_core().verify_request(request,
                                                                  scopes=[services.SCOPE])
        access = getattr(oauth_request, "access_token", None)
        if not valid or access is None or access.user is None or not access.user.is_active:
            return None
        offer = services.offer_of_token(access.token_checksum)
        return Authorised(user=access.user, flow="authorization_code",
                          credentials=(services.offered_credentials(offer) if offer is not None
                                       else services.record_credentials(access.user)))


@router.post("/oid4vci/credential", auth=AccessToken(),
             response={200: CredentialResponse, 400: Error, 401: Error},
             summary="Credential endpoint", operation_id="oid4vciCredential")
def credential(request: HttpRequest, payload: CredentialRequest) -> HttpResponse:
    auth: Authorised = request.auth  # type: ignore[attr-defined]
    legacy = payload.proof is not None or payload.format is not None
    if payload.proofs is not None and payload.proof is not None:
        raise Oid4vciError("invalid_credential_request", "Send proofs or proof, not both.")
    if payload.proofs is not None:
        jwt: Any = payload.proofs.jwt[0]
    elif payload.proof is not None and payload.proof.proof_type == "jwt":
        jwt = payload.proof.jwt
    elif payload.proof is not None:
        raise Oid4vciError("invalid_proof", "The only proof type is jwt.")
    else:
        raise Oid4vciError("invalid_proof", "Send a key proof: proofs.jwt with one proof JWT.")
    configuration = payload.credential_configuration_id
    if configuration is None and payload.credential_identifier is None and legacy:
        configuration = services.CONFIGURATION_ID if payload.format == "ldp_vc" else \
            payload.format
    cred = services.choose(auth, identifier=payload.credential_identifier,
                           configuration_id=configuration)
    document = services.issue(auth, cred, jwt)
    body: dict[str, Any] = {"credentials": [{"credential": document}]}
    if legacy:
        body["credential"] = document
    return _json(body)


api.add_router("", router)
