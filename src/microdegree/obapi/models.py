"""What the Open Badges API keeps beside django-oauth-toolkit's own tables.

`ClientMetadata`: the RFC 7591 metadata the toolkit's Application has no column for (client
URI, logo, terms, policy, software id and version, the scopes asked for), and who registered
it from where (for the registration rate limit).

`RemoteHost`: this platform as a *client* of another OB API host, one row per learner and
connection attempt: the discovery document's endpoints, our dynamic registration there, the
PKCE verifier and `state` of the pending authorization, and when the pull finished. Tokens
are used at once and never stored.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from oauth2_provider.settings import oauth2_settings


class ClientMetadata(models.Model):
    application = models.OneToOneField(oauth2_settings.APPLICATION_MODEL,
                                       on_delete=models.CASCADE, related_name="ob_metadata")
    client_uri = models.URLField(max_length=2000, blank=True)
    logo_uri = models.URLField(max_length=2000, blank=True)
    tos_uri = models.URLField(max_length=2000, blank=True)
    policy_uri = models.URLField(max_length=2000, blank=True)
    software_id = models.CharField(max_length=200, blank=True)
    software_version = models.CharField(max_length=100, blank=True)
    scope = models.TextField(blank=True)
    token_endpoint_auth_method = models.CharField(max_length=40, default="client_secret_basic")
    registered_ip = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"metadata of client {self.application_id}"


class RemoteHost(models.Model):
    """One connection of a learner's record to another OB API host (we are the client)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="ob_remote_hosts")
    base_url = models.URLField(max_length=2000)
    title = models.CharField(max_length=300, blank=True)
    authorization_url = models.URLField(max_length=2000)
    token_url = models.URLField(max_length=2000)
    api_url = models.URLField(max_length=2000)
    client_id = models.CharField(max_length=300)
    client_secret = models.CharField(max_length=300, blank=True)
    state = models.CharField(max_length=64, unique=True)
    code_verifier = models.CharField(max_length=128)
    redirect_uri = models.URLField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    imported_count = models.PositiveIntegerField(default=0)
    refused_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.base_url} for user {self.user_id}"
