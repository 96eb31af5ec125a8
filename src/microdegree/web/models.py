"""The site's own table: requests for a password-reset e-mail (their rate limit)."""

from __future__ import annotations

from django.db import models


class PasswordResetRequest(models.Model):
    """One POST of the password-reset form (whether or not the address has an account)."""

    email = models.EmailField(db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"password reset request #{self.pk}"
