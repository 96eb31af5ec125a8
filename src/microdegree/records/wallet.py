"""Send to wallet: a VC API exchange (as the Learner Credential Wallet uses it).

1. The learner starts an exchange for one credential: `/wallet/exchanges/<id>` (the interaction
   URL), valid 15 minutes, single use. The page links it for wallets (LCW's request URL).
2. The wallet POSTs `{}`: the answer is a `verifiablePresentationRequest` asking for
   DIDAuthentication with a fresh challenge and this platform's domain.
3. The wallet POSTs `{"verifiablePresentation": ...}` signed by its holder DID with that
   challenge and domain (proofPurpose authentication). The core verifies it; if the learner
   bound a DID, the holder must be it. The answer is a presentation holding the credential,
   verbatim.
"""

from __future__ import annotations

import json
import secrets
from datetime import timedelta
from typing import Any
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from microdegree.audit.services import log_action
from microdegree.issuing.models import IssuedCredential
from microdegree.records.models import LearnerDid, WalletExchange
from microdegree.records.services import RecordError
from microdegree.vc import did as vc_did
from microdegree.vc.verify import VC_V2, verify
from microdegree.verification.services import tools

LIFETIME = timedelta(minutes=15)


def exchange_url(exchange: WalletExchange) -> str:
    return f"{settings.PUBLIC_URL}/wallet/exchanges/{exchange.exchange_id}"


def wallet_link(exchange: WalletExchange) -> str:
    """The Learner Credential Wallet's request link for this exchange."""
    request = {"credentialRequestOrigin": settings.PUBLIC_URL,
               "protocols": {"vcapi": exchange_url(exchange)}}
    return "https://lcw.app/request.html?request=" + quote(json.dumps(request,
                                                                      separators=(",", ":")))


def domain() -> str:
    return urlsplit(settings.PUBLIC_URL).netloc


def start(user: Any, credential: IssuedCredential) -> WalletExchange:
    """A new exchange for a credential of the learner's record (the caller checked it)."""
    with transaction.atomic():
        exchange = WalletExchange.objects.create(
            exchange_id=secrets.token_urlsafe(24), user=user, credential=credential,
            challenge=secrets.token_urlsafe(24), expires_at=timezone.now() + LIFETIME)
        log_action(user, "records.wallet_exchange_started", exchange,
                   institution_id=credential.institution_id,
                   after={"credential_id": credential.credential_id})
    return exchange


def _open(exchange_id: str) -> WalletExchange:
    exchange = (WalletExchange.objects.select_related("credential")
                .filter(exchange_id=exchange_id).first())
    if exchange is None or exchange.completed_at is not None \
            or exchange.expires_at < timezone.now():
        raise RecordError(_("No such exchange (or it has expired or been used)."),
                          code="EXCHANGE_NOT_FOUND", status=404)
    return exchange


def _resolver() -> vc_did.Resolver:
    return tools().resolver


def step(exchange_id: str, body: Any) -> dict[str, Any]:
    """One POST of the wallet to the exchange; returns the JSON answer."""
    exchange = _open(exchange_id)
    if not isinstance(body, dict):
        raise RecordError(_("Send a JSON object."), code="INVALID_BODY")
    vp = body.get("verifiablePresentation")
    if vp is None:
        return {"verifiablePresentationRequest": {
            "query": [{"type": "DIDAuthentication"}],
            "challenge": exchange.challenge,
            "domain": domain(),
            "interact": {"service": [{"type": "UnmediatedHttpPresentationService2021",
                                      "serviceEndpoint": exchange_url(exchange)}]},
        }}
    report = verify(vp, resolver=_resolver(), challenge=exchange.challenge, domain=domain())
    holder = vp.get("holder") if isinstance(vp, dict) else None
    holder = holder.get("id") if isinstance(holder, dict) else holder
    if not report.verified or not isinstance(holder, str) or not report.has("CHALLENGE_MATCH"):
        reasons = [c.message for c in report.errors] or ["The presentation names no holder."]
        raise RecordError("The wallet's DID authentication did not verify: "
                          + " ".join(reasons), code="DID_AUTH_FAILED", status=400)
    bound = LearnerDid.objects.filter(user=exchange.user).first()
    if bound is not None and bound.did != holder:
        raise RecordError(_("The wallet's DID is not the one bound to this record."),
                          code="HOLDER_NOT_BOUND", status=403)
    with transaction.atomic():
        locked = WalletExchange.objects.select_for_update().get(pk=exchange.pk)
        if locked.completed_at is not None:
            raise RecordError(_("This exchange has been used."), code="EXCHANGE_NOT_FOUND",
                              status=404)
        locked.completed_at = timezone.now()
        locked.holder = holder
        locked.save(update_fields=["completed_at", "holder"])
        log_action(exchange.user, "records.wallet_delivered", locked,
                   institution_id=exchange.credential.institution_id,
                   after={"credential_id": exchange.credential.credential_id,
                          "holder": holder})
    return {"verifiablePresentation": {
        "@context": [VC_V2],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [json.loads(exchange.credential.document)],
    }}
