"""What the Open Badges API keeps beside django-oauth-toolkit's own tables.

`ClientMetadata`: the RFC 7591 metadata the toolkit's Application has no column for (client
URI, logo, terms, policy, software id and version, the scopes asked for), and who registered
it from where (for the registration rate limit).

`RemoteHost`: this platform as a *client* of another OB API host, one row per learner and
connection attempt: the discovery document's endpoints, our dynamic registration there, the
PKCE verifier and `state` of the pending authorization, and when the pull finished. The
client secret the other host issued us is kept only sealed (AES-256-GCM under the master key,
`institutions.keystore`), bound to its row by the associated data; read and write it through
`set_client_secret` / `client_secret_value`. Access and refresh tokens are used at once and
never stored.
"""

from __future__ import annotations

from cryptography.exceptions import InvalidTag
from django.conf import settings
from django.db import models
from oauth2_provider.settings import oauth2_settings

from microdegree.institutions import keystore

SEAL_LABEL = "obapi.RemoteHost.client_secret"  # associated-data prefix, not a secret


class SecretUnavailable(Exception):
    """A sealed secret that does not open here: another master key, or a blob moved between rows."""


def client_secret_context(user_id: int, state: str) -> bytes:
    """The AES-GCM associated data of a RemoteHost's sealed client secret (migration 0002 too)."""
    return f"{SEAL_LABEL}:{user_id}:{state}".encode()


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
    # b"" when the other host issued no secret; never written directly: set_client_secret()
    client_secret_sealed = models.BinaryField(blank=True, default=b"")
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

    def _secret_context(self) -> bytes:
        if not self.user_id or not self.state:
            raise ValueError("the user and state bind the client secret: set them first")
        return client_secret_context(self.user_id, self.state)

    def set_client_secret(self, secret: str) -> None:
        """Seal `secret` onto this row (user and state must be set; state never changes after)."""
        self.client_secret_sealed = (
            keystore.default_keystore().seal(secret.encode(), self._secret_context())
            if secret else b"")

    def client_secret_value(self) -> str:
        """The clear client secret ("" if none); SecretUnavailable if it does not open here."""
        sealed = bytes(self.client_secret_sealed or b"")
        if not sealed:
            return ""
        try:
            return keystore.default_keystore().open(sealed, self._secret_context()).decode()
        except (InvalidTag, ValueError, UnicodeDecodeError) as exc:
            raise SecretUnavailable(
                f"the client secret of remote host {self.pk} does not open with this master key "
                "(another key, or the sealed value belongs to another row)") from exc
