"""The demo's credential offer: Carla's credentials (she holds the microdegree), printed by the
`demo` command with its transaction code and the address of its QR code.

Safe to run again: while an offer of hers is still open nothing is written (the offer's link
cannot be printed again, since only its digest is kept); once it has expired or been used, the
next run makes a new one."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from microdegree.oid4vci import services
from microdegree.oid4vci.models import CredentialOffer
from microdegree.records.models import LearnerEmail

LEARNER = "carla@learner.example"
LIFETIME = timedelta(hours=1)  # sample data: longer than a learner's offer, to try it out


def offer_lines(url: str) -> list[str]:
    owned = LearnerEmail.objects.filter(email=LEARNER, verified_at__isnull=False).first()
    if owned is None:
        return []
    user = owned.user
    if CredentialOffer.objects.filter(user=user, redeemed_at__isnull=True, burnt=False,
                                      expires_at__gt=timezone.now()).exists():
        return [f"  OpenID4VCI: the credential offer for {LEARNER} printed by an earlier run is "
                "still open; make another on any of her credentials' pages (/me/credentials/)."]
    credentials = services.record_credentials(user)
    if not credentials:
        return []
    new = services.create_offer(user, credentials, lifetime=LIFETIME)
    return [f"  OpenID4VCI credential offer for {LEARNER} ({len(credentials)} credentials, "
            f"open one hour, transaction code {new.tx_code}):",
            f"    {new.link}",
            f"    its QR code: {url}/oid4vci/offers/{new.token}/qr.svg"]
