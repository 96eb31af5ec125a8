"""The LTI 1.3 tool's rows: its own RS256 key, the course platforms registered by institutions,
the links from a course's resource to a microcredential, and the launch state (OIDC state, nonce,
launch data) kept in the database so every web process sees it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ToolKey(models.Model):
    """The tool's RS256 key pair: the private key sealed under the master key (`keys.py`)."""

    kid = models.CharField(max_length=64, unique=True)
    public_pem = models.TextField()
    sealed_private = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.kid


class PlatformRegistration(models.Model):
    """A course platform (Moodle, Canvas, ...) registered with the tool by one institution."""

    class Method(models.TextChoices):
        DYNAMIC = "dynamic", _("Dynamic registration")
        MANUAL = "manual", _("Manual registration")

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE,
                                    related_name="lti_platforms")
    name = models.CharField(max_length=200, blank=True)
    issuer = models.CharField(max_length=500)
    client_id = models.CharField(max_length=300)
    auth_login_url = models.CharField(max_length=2000)
    auth_token_url = models.CharField(max_length=2000)
    auth_audience = models.CharField(max_length=2000, blank=True)
    key_set_url = models.CharField(max_length=2000)
    deployment_ids = models.JSONField(default=list)
    method = models.CharField(max_length=10, choices=Method.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issuer", "client_id"],
                                               name="lti_one_registration_per_client")]

    def __str__(self) -> str:
        return f"{self.name or self.issuer} ({self.client_id})"


class ResourceLink(models.Model):
    """A course's resource link (an activity placed by deep linking) -> one microcredential."""

    registration = models.ForeignKey(PlatformRegistration, on_delete=models.CASCADE,
                                     related_name="links")
    resource_link_id = models.CharField(max_length=255)
    context_id = models.CharField(max_length=255, blank=True)
    context_title = models.CharField(max_length=300, blank=True)
    definition = models.ForeignKey("catalog.AchievementDefinition", on_delete=models.PROTECT,
                                   related_name="lti_links")
    threshold = models.FloatField(default=0.6, help_text=_("score / maximum needed to pass"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["registration", "resource_link_id"],
                                               name="lti_one_mapping_per_link")]


class LaunchValue(models.Model):
    """pylti1p3's launch data storage (state, nonce, launch data), with an expiry."""

    key = models.CharField(max_length=255, unique=True)
    value = models.JSONField(null=True)
    expires_at = models.DateTimeField(db_index=True)



class RegistrationInvite(models.Model):
    """A one-time dynamic registration URL an owner made for a course platform's admin (only the
    SHA-256 of its token is kept)."""

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE,
                                    related_name="lti_invites")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    registration = models.ForeignKey(PlatformRegistration, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
