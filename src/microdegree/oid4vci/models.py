"""What OpenID4VCI keeps: offers (with their pre-authorized code), access tokens, c_nonces,
token-endpoint attempts (rate limit) and deliveries (the bound copies the wallets received).

No secret is stored in clear: the offer's address, its pre-authorized code, the transaction
code, access tokens and used nonces are kept as keyed SHA-256 digests (`services.digest`), like the
OB API's tokens. An offer's pre-authorized code is derived from its address (HMAC under the
secret key), so the offer document can be served without storing the code.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class CredentialOffer(models.Model):
    """A credential offer for credentials of one learner's record (pre-authorized code)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="oid4vci_offers")
    credentials = models.ManyToManyField("issuing.IssuedCredential", related_name="+")
    offer_hash = models.CharField(max_length=64, unique=True)
    code_hash = models.CharField(max_length=64, unique=True)
    tx_code_hash = models.CharField(max_length=64, blank=True)  # "" when none is asked for
    state_hash = models.CharField(max_length=64, unique=True)  # the authorization code grant's
    tx_code_failures = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)
    redeemed_at = models.DateTimeField(null=True, blank=True)
    burnt = models.BooleanField(default=False)  # too many wrong transaction codes

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"credential offer {self.pk} for user {self.user_id}"


class AccessGrant(models.Model):
    """An access token of the pre-authorized code flow (the token's digest, never the token)."""

    token_hash = models.CharField(max_length=64, unique=True)
    offer = models.OneToOneField(CredentialOffer, on_delete=models.CASCADE,
                                 related_name="grant")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"access grant {self.pk} of offer {self.offer_id}"


class AuthorizedOffer(models.Model):
    """An offer taken through the authorization code flow (its `issuer_state`): the toolkit's
    authorization code and then its access token, by digest, name the offer."""

    offer = models.OneToOneField(CredentialOffer, on_delete=models.CASCADE,
                                 related_name="authorization")
    code_hash = models.CharField(max_length=64, unique=True)
    token_checksum = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"authorization of offer {self.offer_id}"


class Nonce(models.Model):
    """A used c_nonce (c_nonces are MACed and carry their expiry, so only use is recorded)."""

    nonce_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"c_nonce {self.pk}"


class TokenAttempt(models.Model):
    """A request to the token endpoint, counted per client address for the rate limit."""

    ip = models.GenericIPAddressField(null=True, blank=True)
    succeeded = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"token attempt from {self.ip}"


class Delivery(models.Model):
    """A credential delivered to a wallet: the copy bound to the wallet's DID, as signed."""

    credential = models.ForeignKey("issuing.IssuedCredential", on_delete=models.CASCADE,
                                   related_name="oid4vci_deliveries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="oid4vci_deliveries")
    holder = models.CharField(max_length=300)
    proof_hash = models.CharField(max_length=64, unique=True)  # the same proof twice: a replay
    document = models.TextField(help_text="the exact signed copy delivered, verbatim")
    flow = models.CharField(max_length=30)  # pre-authorized_code / authorization_code
    delivered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-delivered_at", "-id"]

    def __str__(self) -> str:
        return f"delivery of {self.credential_id} to {self.holder}"
