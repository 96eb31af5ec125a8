"""Issued credentials, the status lists that revoke and suspend them, approvals and API tokens.

`IssuedCredential.document` is the exact signed JSON text: stored verbatim, served verbatim, never
re-serialised (a re-serialised document could canonicalise differently and stop verifying).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from microdegree.vc.status import MIN_ENTRIES


class StatusList(models.Model):
    """One Bitstring Status List of an institution for one purpose, published as a signed VC."""

    class Purpose(models.TextChoices):
        REVOCATION = "revocation", _("Revocation")
        SUSPENSION = "suspension", _("Suspension")
        MESSAGE = "message", _("Message")  # multi-bit statuses with messages (VC API option)

    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.PROTECT, related_name="status_lists"
    )
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    sequence = models.PositiveIntegerField(help_text=_("n in /status/<institution>/<purpose>/<n>"))
    size = models.PositiveIntegerField(default=MIN_ENTRIES)
    status_size = models.PositiveSmallIntegerField(
        default=1, help_text=_("bits per entry (statusSize); more than 1 for message lists"))
    # Lists of a did:key issuer are bound to the key whose did:key issued their credentials, and
    # published under that id (signed by that key, even once retired): a rotation starts new
    # lists. Empty: the institution's did:web, signed by its active key.
    signing_key = models.ForeignKey(
        "institutions.SigningKey", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", help_text=_("did:key lists: the key (and so the issuer id) they are of"))
    # The published status bits (1 = revoked / suspended), index 0 = MSB of byte 0; entry i
    # is bits i*status_size .. i*status_size + status_size - 1.
    bits = models.BinaryField()
    # Which indices were ever handed out (never reused, so a new credential never inherits a bit).
    allocated = models.BinaryField()
    used = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1, help_text=_("bumped on every change of bits"))
    # The signed BitstringStatusListCredential for `signed_version` (re-signed when bits change).
    signed_json = models.TextField(blank=True)
    signed_version = models.PositiveIntegerField(default=0)
    etag = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("institution", "purpose", "sequence")
        constraints = (
            models.UniqueConstraint(
                fields=["institution", "purpose", "sequence"], name="unique_status_list_number"
            ),
        )

    def __str__(self) -> str:
        return f"{self.institution.slug}/{self.purpose}/{self.sequence}"

    @property
    def path(self) -> str:
        return f"/status/{self.institution.slug}/{self.purpose}/{self.sequence}"

    @property
    def url(self) -> str:
        return f"{settings.PUBLIC_URL}{self.path}"


class IssuedCredential(models.Model):
    class State(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("credential state", "Active")
        SUSPENDED = "suspended", pgettext_lazy("credential state", "Suspended")
        REVOKED = "revoked", pgettext_lazy("credential state", "Revoked")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.PROTECT, related_name="issued_credentials"
    )
    achievement_version = models.ForeignKey(
        "catalog.AchievementVersion", on_delete=models.PROTECT, related_name="issued_credentials"
    )
    # Kept for e-mail, claiming and pathway matching; never written into the credential.
    recipient_email = models.EmailField()  # indexed with the institution (Meta.indexes)
    recipient_name = models.CharField(max_length=200, blank=True)
    recipient_identifier = models.CharField(max_length=200, blank=True)
    recipient_did = models.CharField(max_length=300, blank=True)
    identity_salt = models.CharField(max_length=64)
    document = models.TextField(help_text=_("the exact signed JSON, verbatim"))
    credential_id = models.CharField(max_length=100, unique=True)  # "urn:uuid:..."
    issued_at = models.DateTimeField(db_index=True)
    valid_from = models.DateTimeField()
    valid_until = models.DateTimeField(null=True, blank=True)
    credits_earned = models.FloatField(null=True, blank=True)
    result_value = models.CharField(max_length=100, blank=True)
    narrative = models.TextField(blank=True)
    evidence_url = models.URLField(max_length=500, blank=True)
    # db_index=False: the unique (list, index) constraints below already index these columns.
    status_list = models.ForeignKey(
        StatusList, on_delete=models.PROTECT, related_name="revocation_entries", db_index=False
    )
    status_index = models.PositiveIntegerField()
    suspension_list = models.ForeignKey(
        StatusList, on_delete=models.PROTECT, related_name="suspension_entries", db_index=False
    )
    suspension_index = models.PositiveIntegerField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.ACTIVE)
    state_reason = models.TextField(blank=True)
    state_changed_at = models.DateTimeField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=200, null=True, blank=True)
    components = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="part_of"
    )
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="supersedes"
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ("-issued_at", "-id")
        constraints = (
            models.UniqueConstraint(fields=["status_list", "status_index"],
                                    name="unique_revocation_index"),
            models.UniqueConstraint(fields=["suspension_list", "suspension_index"],
                                    name="unique_suspension_index"),
            models.UniqueConstraint(fields=["institution", "idempotency_key"],
                                    name="unique_idempotency_key"),
        )
        indexes = (models.Index(fields=["institution", "recipient_email"]),)

    def __str__(self) -> str:
        return f"{self.credential_id} ({self.state})"


class PendingMicrodegree(models.Model):
    """A completed pathway waiting for staff approval (institution.approve_microdegrees)."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.CASCADE, related_name="pending_microdegrees"
    )
    achievement_version = models.ForeignKey(
        "catalog.AchievementVersion", on_delete=models.PROTECT, related_name="+"
    )
    recipient_email = models.EmailField()
    recipient_name = models.CharField(max_length=200, blank=True)
    components = models.ManyToManyField(IssuedCredential, related_name="+")
    credits = models.FloatField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    credential = models.ForeignKey(
        IssuedCredential, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = (
            models.UniqueConstraint(
                fields=["achievement_version", "recipient_email"],
                condition=models.Q(state="pending"),
                name="one_pending_microdegree",
            ),
        )

    def __str__(self) -> str:
        return f"{self.recipient_email}: {self.achievement_version} ({self.state})"


class ApiToken(models.Model):
    """A per-institution bearer token for the JSON API; only its SHA-256 is stored."""

    class Role(models.TextChoices):
        ISSUER = "issuer", _("Issuer (award, revoke, read)")
        VIEWER = "viewer", _("Viewer (read)")

    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, help_text=_("first characters, to recognise it"))
    token_hash = models.CharField(max_length=64, unique=True)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.ISSUER)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class IdempotentRequest(models.Model):
    """One `Idempotency-Key` of an institution and the response its first request got.

    Inserted in the same transaction as the credential it stands for (`issuing.idempotency`):
    a concurrent request with the same key waits on the unique constraint, then reads the
    winner's stored response. `fingerprint` is the SHA-256 of the endpoint and the canonical
    request body (sorted keys, no spaces), so the same key with another body is recognised.
    """

    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(default=0)
    body = models.TextField(blank=True)
    location = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["institution", "key"],
                                    name="unique_idempotent_request"),
        )

    def __str__(self) -> str:
        return f"{self.key} ({self.status})"
