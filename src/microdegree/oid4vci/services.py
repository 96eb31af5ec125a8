"""OpenID4VCI issuance: offers, the pre-authorized code grant, c_nonces, and the credential.

Every write is in a transaction with an audit entry. The rules that keep it safe:

* an offer's address and pre-authorized code are 256-bit random values kept only as keyed
  digests; the code is single use and lives OFFER_LIFETIME; the transaction code (six digits,
  shown to the learner beside the QR code, never inside it) allows TX_CODE_TRIES wrong tries
  before the offer is burnt;
* access tokens (ACCESS_LIFETIME) are digests too; a c_nonce carries its expiry
  (NONCE_LIFETIME) under a MAC, so the open nonce endpoint writes nothing, and its digest is
  recorded when a proof uses it (single use);
* the token endpoint answers at most TOKEN_RATE failed attempts per client address in
  TOKEN_WINDOW (429 beyond);
* the credential endpoint issues only credentials of the offer (or, for the authorization code
  flow, of the signed-in learner's record) that are still the learner's and not revoked; the
  proof must be signed by the key it names, for this issuer, with an unused c_nonce of ours;
  a learner who bound a DID (or a credential already naming a subject DID) accepts only that key.

The credential: the stored, signed credential is the learner's (subject identified by hashed
e-mail). The wallet gets a copy whose `credentialSubject.id` is the wallet's DID, signed again by
the institution's key; everything else (id, dates, status entries) is the same, so revoking or
suspending the credential reaches the copy too (ADR 0021).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from microdegree.audit.services import log_action
from microdegree.issuing.models import IssuedCredential
from microdegree.oid4vci import proof as proof_mod
from microdegree.oid4vci.models import (
    AccessGrant,
    AuthorizedOffer,
    CredentialOffer,
    Delivery,
    Nonce,
    TokenAttempt,
)
from microdegree.records import record as record_mod
from microdegree.vc import proofs

CONFIGURATION_ID = "OpenBadgeCredential"
SCOPE = "OpenBadgeCredential"  # the configuration's OAuth scope (authorization code flow)
PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
OFFER_LIFETIME = timedelta(minutes=10)
ACCESS_LIFETIME = timedelta(minutes=10)
NONCE_LIFETIME = timedelta(minutes=5)
TX_CODE_LENGTH = 6
TX_CODE_TRIES = 5
TOKEN_WINDOW = timedelta(minutes=10)
TOKEN_RATE = 30  # failed token requests per client address per window
TOKEN_PREFIX = "mdv_"  # noqa: S105 - marks our access tokens, not a secret
OFFER_SCHEME = "openid-credential-offer://"


class Oid4vciError(Exception):
    """An OpenID4VCI / OAuth error: `error` code, a sentence, the HTTP status."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


def issuer_id() -> str:
    """The credential issuer identifier (and authorization server issuer): the public URL."""
    return str(settings.PUBLIC_URL)


def digest(value: str, purpose: str) -> str:
    """The keyed SHA-256 digest a secret is kept as (a leaked table gives no usable value)."""
    return hmac.new(settings.SECRET_KEY.encode(), f"oid4vci:{purpose}:{value}".encode(),
                    hashlib.sha256).hexdigest()


def _pre_authorized_code(offer_token: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"oid4vci:code-of:{offer_token}".encode(),
                    hashlib.sha256).hexdigest()


def _issuer_state(offer_token: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"oid4vci:state-of:{offer_token}".encode(),
                    hashlib.sha256).hexdigest()


def offer_uri(offer_token: str) -> str:
    return f"{issuer_id()}/oid4vci/offers/{offer_token}"


def offer_link(offer_token: str) -> str:
    """`openid-credential-offer://?credential_offer_uri=…`: what the QR code holds."""
    return f"{OFFER_SCHEME}?credential_offer_uri={quote(offer_uri(offer_token), safe='')}"


# --- offers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewOffer:
    offer: CredentialOffer
    token: str  # the offer's address part (in the QR code)
    tx_code: str | None  # shown to the learner separately; never stored

    @property
    def link(self) -> str:
        return offer_link(self.token)

    @property
    def uri(self) -> str:
        return offer_uri(self.token)


def create_offer(user: Any, credentials: list[IssuedCredential], *, tx_code: bool = True,
                 lifetime: timedelta = OFFER_LIFETIME) -> NewOffer:
    """An offer of `credentials` (the caller checked they are the learner's own)."""
    if not credentials:
        raise Oid4vciError("invalid_request", "There is no credential to offer.", 409)
    if any(c.state == IssuedCredential.State.REVOKED for c in credentials):
        raise Oid4vciError("invalid_request", "A revoked credential cannot go to a wallet.",
                           409)
    token = secrets.token_urlsafe(32)
    code = "".join(secrets.choice("0123456789") for _ in range(TX_CODE_LENGTH)) \
        if tx_code else None
    with transaction.atomic():
        offer = CredentialOffer.objects.create(
            user=user, offer_hash=digest(token, "offer"),
            code_hash=digest(_pre_authorized_code(token), "code"),
            tx_code_hash=digest(code, "tx") if code else "",
            state_hash=digest(_issuer_state(token), "state"),
            expires_at=timezone.now() + lifetime)
        offer.credentials.set(credentials)
        log_action(user, "oid4vci.offer_created", offer,
                   institution_id=credentials[0].institution_id,
                   after={"credentials": [c.credential_id for c in credentials],
                          "tx_code": bool(code)})
    return NewOffer(offer=offer, token=token, tx_code=code)


def _live_offer(token: str) -> CredentialOffer:
    offer = CredentialOffer.objects.filter(offer_hash=digest(token, "offer")).first()
    if offer is None or offer.redeemed_at is not None or offer.burnt \
            or offer.expires_at < timezone.now():
        raise Oid4vciError("not_found", "No such credential offer (or it has expired or "
                           "been used).", 404)
    return offer


def offer_link_if_open(token: str) -> str:
    """The offer link of an open offer (for its QR code); Oid4vciError 404 otherwise."""
    _live_offer(token)
    return offer_link(token)


def offer_document(token: str) -> dict[str, Any]:
    """The credential offer behind `credential_offer_uri` (while the offer is open)."""
    offer = _live_offer(token)
    grant: dict[str, Any] = {"pre-authorized_code": _pre_authorized_code(token)}
    if offer.tx_code_hash:
        grant["tx_code"] = {"input_mode": "numeric", "length": TX_CODE_LENGTH,
                            "description": "The six-digit code shown beside the QR code "
                                           "on your record."}
    return {
        "credential_issuer": issuer_id(),
        "credential_configuration_ids": [CONFIGURATION_ID],
        "grants": {PRE_AUTHORIZED_GRANT: grant,
                   "authorization_code": {"issuer_state": _issuer_state(token)}},
    }


# --- the token endpoint ----------------------------------------------------------------------


def rate_limited(ip: str | None) -> bool:
    since = timezone.now() - TOKEN_WINDOW
    return TokenAttempt.objects.filter(ip=ip, succeeded=False, created_at__gte=since
                                       ).count() >= TOKEN_RATE


def note_attempt(ip: str | None, succeeded: bool) -> None:
    TokenAttempt.objects.create(ip=ip, succeeded=succeeded)
    if succeeded:
        purge()


def purge() -> None:
    """Forget what no longer counts: token attempts outside the window, expired c_nonces."""
    now = timezone.now()
    TokenAttempt.objects.filter(created_at__lt=now - TOKEN_WINDOW).delete()
    Nonce.objects.filter(expires_at__lt=now).delete()


def _identifier(cred: IssuedCredential) -> str:
    return str(cred.uuid)


def authorization_details(credentials: list[IssuedCredential]) -> list[dict[str, Any]]:
    return [{"type": "openid_credential", "credential_configuration_id": CONFIGURATION_ID,
             "credential_identifiers": [_identifier(c) for c in credentials]}]


def redeem(code: str, tx_code: str | None) -> tuple[str, AccessGrant]:
    """The pre-authorized code grant: an access token for the offer (once).

    A wrong transaction code is counted (and audited) before the error is raised, so the count
    survives the refusal; TX_CODE_TRIES wrong codes burn the offer."""
    now = timezone.now()
    refused: Oid4vciError | None = None
    with transaction.atomic():
        offer = (CredentialOffer.objects.select_for_update()
                 .filter(code_hash=digest(code, "code")).first())
        if offer is None or offer.redeemed_at is not None or offer.burnt \
                or offer.expires_at < now:
            raise Oid4vciError("invalid_grant", "The pre-authorized code is unknown, expired "
                               "or already used.")
        if offer.tx_code_hash and not tx_code:
            raise Oid4vciError("invalid_request", "This offer needs its transaction code "
                               "(tx_code).")
        if offer.tx_code_hash and not hmac.compare_digest(digest(tx_code or "", "tx"),
                                                          offer.tx_code_hash):
            offer.tx_code_failures += 1
            offer.burnt = offer.tx_code_failures >= TX_CODE_TRIES
            offer.save(update_fields=["tx_code_failures", "burnt"])
            log_action(offer.user, "oid4vci.tx_code_refused", offer,
                       after={"failures": offer.tx_code_failures, "burnt": offer.burnt})
            refused = Oid4vciError("invalid_grant", "The transaction code is wrong."
                                   + (" The offer is now closed: make a new one on your "
                                      "record." if offer.burnt else ""))
        else:
            raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
            offer.redeemed_at = now
            offer.save(update_fields=["redeemed_at"])
            grant = AccessGrant.objects.create(token_hash=digest(raw, "access"), offer=offer,
                                               expires_at=now + ACCESS_LIFETIME)
            log_action(offer.user, "oid4vci.code_redeemed", offer, after={"grant": grant.pk})
    if refused is not None:
        raise refused
    return raw, grant


# --- the authorization code flow with an offer's issuer_state ----------------------------------


def offer_for_state(issuer_state: str, user: Any) -> CredentialOffer:
    """The open offer an `issuer_state` names, if it is `user`'s (the learner signed in)."""
    offer = CredentialOffer.objects.filter(
        state_hash=digest(issuer_state[:100], "state")).first()
    if offer is None or offer.user_id != user.pk or offer.redeemed_at is not None \
            or offer.burnt or offer.expires_at < timezone.now():
        raise Oid4vciError("invalid_request", "This credential offer is not yours, or it has "
                           "expired or been used: make a new one on your record.")
    return offer


def note_authorization(offer_pk: int, code: str) -> None:
    """The learner allowed the wallet for this offer: its authorization code names the offer."""
    with transaction.atomic():
        authorized = AuthorizedOffer.objects.create(offer_id=offer_pk,
                                                    code_hash=digest(code, "authorization"))
        log_action(authorized.offer.user, "oid4vci.offer_authorized", authorized.offer)


def redeem_authorization(code: str, token_checksum: str) -> CredentialOffer | None:
    """At the token endpoint: the offer the code was granted for (now redeemed, bound to the
    access token), None when the code was for no offer; Oid4vciError when that offer is gone."""
    with transaction.atomic():
        authorized = (AuthorizedOffer.objects.select_for_update().select_related("offer")
                      .filter(code_hash=digest(code, "authorization"),
                              token_checksum__isnull=True).first())
        if authorized is None:
            return None
        offer = authorized.offer
        if offer.redeemed_at is not None or offer.burnt:
            raise Oid4vciError("invalid_grant", "This credential offer has been used.")
        offer.redeemed_at = timezone.now()
        offer.save(update_fields=["redeemed_at"])
        authorized.token_checksum = token_checksum
        authorized.save(update_fields=["token_checksum"])
        log_action(offer.user, "oid4vci.code_redeemed", offer, after={"flow": "authorization"})
    return offer


def offer_of_token(token_checksum: str) -> CredentialOffer | None:
    authorized = (AuthorizedOffer.objects.select_related("offer")
                  .filter(token_checksum=token_checksum).first())
    return authorized.offer if authorized is not None else None


def grant_for(raw: str) -> AccessGrant | None:
    if not raw.startswith(TOKEN_PREFIX):
        return None
    return (AccessGrant.objects.select_related("offer__user")
            .filter(token_hash=digest(raw, "access"), expires_at__gt=timezone.now()).first())


def offered_credentials(offer: CredentialOffer) -> list[IssuedCredential]:
    return list(offer.credentials.select_related("institution").order_by("issued_at", "id"))


def record_credentials(user: Any) -> list[IssuedCredential]:
    """The learner's own platform credentials that may go to a wallet (not revoked)."""
    return [c for c in record_mod.platform_credentials(user)
            if c.state != IssuedCredential.State.REVOKED]


# --- c_nonce ---------------------------------------------------------------------------------


def _nonce_mac(body: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"oid4vci:nonce:{body}".encode(),
                    hashlib.sha256).hexdigest()[:32]


def new_nonce() -> str:
    """A c_nonce: its expiry, 128 random bits and a MAC under the secret key. Nothing is written
    (the nonce endpoint is open to anyone); a nonce is recorded when it is used."""
    expires = int((timezone.now() + NONCE_LIFETIME).timestamp())
    body = f"{expires}.{secrets.token_urlsafe(16)}"
    return f"{body}.{_nonce_mac(body)}"


def _use_nonce(raw: str) -> None:
    """Record the c_nonce as used (inside the caller's transaction); invalid_nonce if it is not
    ours, has expired or was used before."""
    body, _, mac = raw.rpartition(".")
    expires = body.partition(".")[0]
    now = timezone.now()
    if not (body and expires.isdigit() and hmac.compare_digest(mac, _nonce_mac(body))
            and int(expires) > now.timestamp()):
        raise Oid4vciError("invalid_nonce", "The proof's nonce is not a fresh c_nonce of this "
                           "issuer (unknown or expired): ask the nonce endpoint for a new one.")
    try:
        with transaction.atomic():
            Nonce.objects.create(nonce_hash=digest(raw, "nonce"), used_at=now,
                                 expires_at=datetime.fromtimestamp(int(expires), tz=UTC))
    except IntegrityError as exc:
        raise Oid4vciError("invalid_nonce", "This c_nonce has been used: ask the nonce "
                           "endpoint for a new one.") from exc


# --- the credential endpoint -----------------------------------------------------------------


@dataclass(frozen=True)
class Authorised:
    """Who the access token speaks for and what it may obtain."""

    user: Any
    credentials: list[IssuedCredential]
    flow: str


def choose(auth: Authorised, *, identifier: str | None, configuration_id: str | None
           ) -> IssuedCredential:
    """The credential a request names (credential_identifier, or the configuration when the
    token covers exactly one credential)."""
    if identifier is not None and configuration_id is not None:
        raise Oid4vciError("invalid_credential_request", "Send credential_identifier or "
                           "credential_configuration_id, not both.")
    if identifier is not None:
        for cred in auth.credentials:
            if _identifier(cred) == identifier:
                return cred
        raise Oid4vciError("unknown_credential_identifier", "The access token does not cover "
                           "this credential_identifier.")
    if configuration_id is None:
        raise Oid4vciError("invalid_credential_request", "Name the credential: "
                           "credential_identifier (from the token response).")
    if configuration_id != CONFIGURATION_ID:
        raise Oid4vciError("unknown_credential_configuration",
                           f"The only credential configuration is {CONFIGURATION_ID}.")
    if len(auth.credentials) != 1:
        raise Oid4vciError("invalid_credential_request", "This access token covers several "
                           "credentials: name one by its credential_identifier.")
    return auth.credentials[0]


def _still_theirs(user: Any, cred: IssuedCredential) -> IssuedCredential:
    current = record_mod.owned_credential(user, cred.uuid)
    if current is None or current.state == IssuedCredential.State.REVOKED:
        raise Oid4vciError("credential_request_denied", "This credential is no longer in "
                           "your record, or it has been revoked.")
    return current


def _bound_copy(cred: IssuedCredential, holder: str) -> dict[str, Any]:
    document = json.loads(cred.document)
    subject = document.get("credentialSubject")
    if not isinstance(subject, dict):
        raise Oid4vciError("credential_request_denied", "This credential cannot be bound to "
                           "a wallet (it has several subjects).")
    named = subject.get("id")
    if named == holder:
        return document  # already the wallet's: the stored credential, verbatim
    if named:
        raise Oid4vciError("invalid_proof", "This credential names another holder DID: sign "
                           "the proof with that DID's key.")
    document.pop("proof", None)
    document["credentialSubject"] = {"id": holder, **subject}
    key, method = _issuer_key(cred, document.get("issuer"))
    return proofs.sign(document, key, verification_method=method,
                       suite=cred.institution.suite)


def _issuer_key(cred: IssuedCredential, issuer: Any) -> tuple[Any, str]:
    """The institution's key that may sign for the credential's issuer id: the active key under
    did:web (the DID document lists it); under a did:key, that very key (the id *is* the key,
    so a did:key credential is copied only while its key is not revoked, after a rotation too)."""
    from microdegree.institutions import services as inst_services

    inst = cred.institution
    issuer_id_ = issuer.get("id") if isinstance(issuer, dict) else issuer
    if issuer_id_ == inst.web_did:
        record = inst_services.active_key(inst)
        method = f"{inst.web_did}#{record.fragment}"
    else:
        found = next((k for k in inst.keys.filter(revoked_at__isnull=True)
                      if k.did_key == issuer_id_), None)
        if found is None:
            raise Oid4vciError("credential_request_denied", "The key this credential was "
                               "issued with can no longer sign: ask the institution to "
                               "re-issue it.")
        record = found
        method = f"{record.did_key}#{record.public_multibase}"
    key, _ = inst_services.key_signer(record)
    return key, method


def issue(auth: Authorised, cred: IssuedCredential, jwt: Any) -> dict[str, Any]:
    """Check the wallet's proof and deliver the credential bound to its key."""
    checked = _check_proof(jwt)
    cred = _still_theirs(auth.user, cred)
    bound = record_mod.holder_dids(auth.user)
    if bound and checked.holder not in bound:
        raise Oid4vciError("invalid_proof", "The proof's key is not the DID bound to your "
                           "record.")
    document = _bound_copy(cred, checked.holder)
    try:
        with transaction.atomic():
            _use_nonce(checked.nonce)
            delivery = Delivery.objects.create(
                credential=cred, user=auth.user, holder=checked.holder,
                proof_hash=hashlib.sha256(jwt.encode()).hexdigest(),
                document=json.dumps(document, ensure_ascii=False), flow=auth.flow)
            log_action(auth.user, "oid4vci.credential_delivered", delivery,
                       institution_id=cred.institution_id,
                       after={"credential_id": cred.credential_id, "holder": checked.holder,
                              "flow": auth.flow})
    except IntegrityError as exc:
        raise Oid4vciError("invalid_proof", "This proof has been used before.") from exc
    return document


def _check_proof(jwt: Any) -> proof_mod.Checked:
    try:
        return proof_mod.check(jwt, audience=issuer_id(), now=time.time(),
                               max_age=NONCE_LIFETIME.total_seconds())
    except proof_mod.ProofError as exc:
        raise Oid4vciError(exc.code, exc.message) from exc
