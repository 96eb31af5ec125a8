"""Institutions, their staff and their signing keys."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def did_web_host() -> str:
    """The did:web host part for this platform's public URL (a port is %3A-encoded)."""
    netloc = urlsplit(settings.PUBLIC_URL).netloc
    return netloc.replace(":", "%3A")


class Institution(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        SUSPENDED = "suspended", _("Suspended")

    class DidMethod(models.TextChoices):
        WEB = "web", _("did:web (a stable address on this platform; survives key rotation)")
        KEY = "key", _("did:key (the signing key itself; a new key is a new issuer id)")

    class Suite(models.TextChoices):
        RDFC = "eddsa-rdfc-2022", _("eddsa-rdfc-2022 (Open Badges certified)")
        JCS = "eddsa-jcs-2022", _("eddsa-jcs-2022 (fast)")

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    url = models.URLField(blank=True)
    email = models.EmailField(blank=True)
    country_code = models.CharField(max_length=2, help_text=_("ISO 3166-1 alpha-2"))
    region = models.CharField(max_length=100, blank=True)
    locality = models.CharField(max_length=100, blank=True)
    quality_assurance = models.TextField(
        blank=True, help_text=_("Type of quality assurance (EU micro-credential element)")
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    suite = models.CharField(max_length=30, choices=Suite.choices, default=Suite.RDFC)
    did_method = models.CharField(
        max_length=8, choices=DidMethod.choices, default=DidMethod.WEB,
        help_text=_("the issuer id credentials carry (docs/adr: did:key issuers)"))
    approve_microdegrees = models.BooleanField(
        default=False, help_text=_("Staff approve each microdegree award before it is issued")
    )
    # The language of the e-mails the institution's staff and contact address receive
    # (new credit applications, re-issue requests, changed achievements; base/notify.py).
    language = models.CharField(max_length=10, choices=settings.LANGUAGES,
                                default=settings.LANGUAGE_CODE)
    created_at = models.DateTimeField(auto_now_add=True)
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def did(self) -> str:
        """The issuer id new credentials carry: the did:web, or with `did_method` "key" the
        did:key of the active signing key (a rotation changes it)."""
        if self.did_method == self.DidMethod.KEY:
            key = self.keys.filter(retired_at__isnull=True, revoked_at__isnull=True).last()
            if key is not None:
                return key.did_key
        return self.web_did

    @property
    def web_did(self) -> str:
        """The institution's did:web (its DID document is served at /issuers/SLUG/did.json)."""
        return f"did:web:{did_web_host()}:issuers:{self.slug}"

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        ISSUER = "issuer", _("Issuer")
        VIEWER = "viewer", _("Viewer")

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["institution", "user"], name="one_role_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) at {self.institution}"


class SigningKey(models.Model):
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="keys")
    fragment = models.CharField(max_length=30)  # "key-1": the DID URL is did#key-1
    public_multibase = models.CharField(max_length=60)
    sealed_secret = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "fragment"], name="unique_key_fragment")
        ]

    def __str__(self) -> str:
        return f"{self.institution.slug}#{self.fragment}"

    @property
    def did_key(self) -> str:
        return f"did:key:{self.public_multibase}"

    @property
    def verification_method(self) -> str:
        """The key's id in the institution's issuer DID (did:key: `did:key:z..#z..`)."""
        if self.institution.did_method == Institution.DidMethod.KEY:
            return f"{self.did_key}#{self.public_multibase}"
        return f"{self.institution.web_did}#{self.fragment}"

    @property
    def is_active(self) -> bool:
        return self.retired_at is None and self.revoked_at is None


class Invitation(models.Model):
    """An owner's invitation to join the institution's staff, e-mailed as a link.

    Only the SHA-256 of the link's token is stored: the token itself is in the e-mail and
    nowhere else (staff pages never show it). Pending until accepted, withdrawn or expired.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        ACCEPTED = "accepted", _("accepted")
        REVOKED = "revoked", _("withdrawn")
        EXPIRED = "expired", _("expired")

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE,
                                    related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Membership.Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["institution", "email"])]

    def __str__(self) -> str:
        return f"{self.email} ({self.role}) to {self.institution}"

    def state_at(self, now: Any) -> str:
        if self.accepted_at is not None:
            return str(self.State.ACCEPTED)
        if self.revoked_at is not None:
            return str(self.State.REVOKED)
        if self.expires_at <= now:
            return str(self.State.EXPIRED)
        return str(self.State.PENDING)
