"""The learner's side: e-mail addresses, sign-in tokens, imported credentials, per-credential
preferences (who can see it, show name) and the platform's own signing key (CLR exports).

Learners are ordinary Django users; what makes one a learner is a verified `LearnerEmail`.
Platform credentials are never copied here: the record finds them through the salted identity
hash in each credential (services.platform_credentials), so nothing goes stale on re-issue.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LearnerEmail(models.Model):
    """An address a learner uses; it counts for matching credentials once `verified_at` is set."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="learner_emails")
    email = models.EmailField()  # normalised: stripped, lower case
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "email"], name="unique_learner_email"),
            # one verified owner per address: credentials to it belong to one record
            models.UniqueConstraint(fields=["email"], condition=models.Q(verified_at__isnull=False),
                                    name="one_verified_owner_per_email"),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({'verified' if self.verified_at else 'unverified'})"


class UsedToken(models.Model):
    """The SHA-256 of every sign-in, verification or claim token already used (single use)."""

    token_hash = models.CharField(max_length=64, unique=True)
    purpose = models.CharField(max_length=20)
    used_at = models.DateTimeField(auto_now_add=True, db_index=True)


class LinkRequest(models.Model):
    """One request for a sign-in link (rate limit per address and per IP address)."""

    email = models.EmailField(db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)


class ImportedCredential(models.Model):
    """A credential earned elsewhere, verified on import and stored verbatim (`document`)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="imported_credentials")
    document = models.TextField(help_text=_("the credential exactly as imported (JSON or JWS)"))
    format = models.CharField(max_length=10)  # json, jwt, png, svg (where it came from)
    # the credential as JSON, for display and search only (a JWS payload decoded); `document`
    # is what is served and exported
    decoded = models.JSONField(default=dict)
    credential_id = models.CharField(max_length=500, blank=True)
    issuer_id = models.CharField(max_length=500, blank=True)
    name = models.CharField(max_length=300, blank=True)
    source_url = models.URLField(max_length=2000, blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)
    # the outcome of the last verification (on import, or when the learner checks again)
    status = models.CharField(max_length=20, default="valid")
    checked_at = models.DateTimeField(null=True, blank=True)
    # whether it names the learner (a confirmed address or their DID; records.addressing):
    # set on import, again when addresses or the DID change. Not addressed: kept and shown,
    # never in a platform-signed CLR, the OB API listing, a share page or a credit application
    addressed = models.BooleanField(default=False)

    class Meta:
        ordering = ["-imported_at", "-id"]
        constraints = [
            # one import per credential id in a record (a second import of it replaces or is
            # refused, also when two arrive at once); credentials without an id are not matched
            models.UniqueConstraint(fields=["user", "credential_id"],
                                    condition=~models.Q(credential_id=""),
                                    name="one_import_per_credential_id"),
        ]

    def __str__(self) -> str:
        return f"{self.name or self.credential_id} (imported)"


# the three values, as plain strings for code that compares them (mypy reads the enum's
# members as their (value, label) tuples)
PUBLIC, LINK, HIDDEN = "public", "link", "hidden"


class Visibility(models.TextChoices):
    """Who can see one credential of a record on this platform's public pages (ADR 0027).

    The pages word them in the reader's language (`records.record.visibility_label`).
    Whatever is chosen, the credential, its status list and its validity never change: whoever
    holds the file can still verify it.
    """

    # its public page (/credentials/<uuid>, platform credentials only) and its share link
    PUBLIC = PUBLIC, "Public"
    # only its share link (/share/<token>); a new link retires the old one
    LINK = LINK, "Shared by link only"
    # nothing public: every public page of it answers 404
    HIDDEN = HIDDEN, "Hidden"


def default_visibility(*, platform: bool) -> str:
    """Without a choice: a platform credential's public page exists (as it always has), an
    import has no public page at all."""
    return PUBLIC if platform else HIDDEN


class CredentialPreference(models.Model):
    """The learner's choices for one credential of their record (platform or imported).

    `visibility` says which public pages of this app show it (`Visibility`); it never touches
    the credential, its status list or its validity.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="credential_preferences")
    credential = models.ForeignKey("issuing.IssuedCredential", null=True, blank=True,
                                   on_delete=models.CASCADE, related_name="+")
    imported = models.ForeignKey(ImportedCredential, null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="preferences")
    visibility = models.CharField(max_length=10, choices=Visibility.choices,
                                  default=Visibility.PUBLIC)
    share_token = models.CharField(max_length=64, unique=True)
    show_name = models.BooleanField(default=False)
    claimed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(credential__isnull=False, imported__isnull=True)
                           | models.Q(credential__isnull=True, imported__isnull=False)),
                name="preference_names_one_credential",
            ),
            models.UniqueConstraint(fields=["user", "credential"], name="one_pref_per_credential"),
            models.UniqueConstraint(fields=["user", "imported"], name="one_pref_per_import"),
        ]

    def __str__(self) -> str:
        return f"preference {self.pk} of user {self.user_id}"


class PlatformKey(models.Model):
    """The platform's own Ed25519 key (did:web:HOST:platform), sealed like institution keys."""

    fragment = models.CharField(max_length=30, unique=True)
    public_multibase = models.CharField(max_length=60)
    sealed_secret = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"platform#{self.fragment}"


class ReissueRequest(models.Model):
    """A learner asks the issuing institution to re-issue a credential with a changed name or
    e-mail address; staff decide, and approval calls `issuing.services.reissue`."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for the institution")
        DONE = "done", _("Re-issued")
        REJECTED = "rejected", _("Declined")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="reissue_requests")
    credential = models.ForeignKey("issuing.IssuedCredential", on_delete=models.CASCADE,
                                   related_name="+")
    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE,
                                    related_name="reissue_requests")
    new_name = models.CharField(max_length=200, blank=True)
    new_email = models.EmailField(blank=True)
    reason = models.TextField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decision_note = models.TextField(blank=True)
    new_credential = models.ForeignKey("issuing.IssuedCredential", null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["credential"], condition=models.Q(state="pending"),
                                    name="one_pending_reissue_per_credential"),
        ]

    def __str__(self) -> str:
        return f"re-issue of {self.credential_id} ({self.state})"


class LearnerDid(models.Model):
    """A DID the learner binds to their record, so later credentials can name it (did:key).

    `generated`: the platform made the key and gave the secret to the learner once (it keeps
    only the public DID); otherwise the learner brought their own did:key.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="learner_did")
    did = models.CharField(max_length=300, unique=True)
    generated = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.did


class WalletExchange(models.Model):
    """One VC API exchange that delivers a credential to the learner's wallet (single use,
    short-lived): the wallet proves control of a DID (DIDAuthentication) and gets the
    credential verbatim."""

    exchange_id = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="wallet_exchanges")
    credential = models.ForeignKey("issuing.IssuedCredential", on_delete=models.CASCADE,
                                   related_name="+")
    challenge = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    holder = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return f"exchange {self.exchange_id[:8]}…"


class LearnerSettings(models.Model):
    """A learner's settings for the whole record: the language of the e-mails they receive
    (credit decisions; base/notify.py). No row: the platform's default language."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="learner_settings")
    language = models.CharField(max_length=10, choices=settings.LANGUAGES,
                                default=settings.LANGUAGE_CODE)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"settings of user {self.user_id}"


class ClaimReminder(models.Model):
    """The one reminder sent for a credential nobody claimed (records.reminders): the unique
    credential makes "once" hold even when two runs overlap."""

    credential = models.OneToOneField("issuing.IssuedCredential", on_delete=models.CASCADE,
                                      related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"claim reminder for credential {self.credential_id}"
