"""Credentials issued through the W3C VC API (`POST /credentials/issue`).

They are not `issuing.IssuedCredential`s: that model is an award of a catalogue achievement to a
recipient e-mail (both required), while the VC API signs any credential an institution sends.
They share the institution's keys and its Bitstring Status Lists (`issuing.StatusList`): indices
come from the same allocator, so a list never hands one index out twice across the two models.
`document` is the exact signed JSON text, stored verbatim.
"""

from __future__ import annotations

import uuid

from django.db import models

from microdegree.issuing.models import IssuedCredential


class ApiCredential(models.Model):
    State = IssuedCredential.State  # one set of credential states for the whole platform

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.PROTECT, related_name="api_credentials"
    )
    credential_id = models.CharField(max_length=500)  # the credential's `id`
    document = models.TextField(help_text="the exact signed JSON, verbatim")
    cryptosuite = models.CharField(max_length=30)
    status_list = models.ForeignKey(
        "issuing.StatusList", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_index=False,
    )
    status_index = models.PositiveIntegerField(null=True, blank=True)
    suspension_list = models.ForeignKey(
        "issuing.StatusList", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_index=False,
    )
    suspension_index = models.PositiveIntegerField(null=True, blank=True)
    # A multi-bit "message" entry (issue option credentialStatus.statusPurpose "message").
    message_list = models.ForeignKey(
        "issuing.StatusList", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_index=False,
    )
    message_index = models.PositiveIntegerField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.ACTIVE)
    state_reason = models.TextField(blank=True)
    state_changed_at = models.DateTimeField(null=True, blank=True)
    issued_at = models.DateTimeField(auto_now_add=True)
    token = models.ForeignKey(
        "issuing.ApiToken", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("-issued_at", "-id")
        constraints = (
            models.UniqueConstraint(fields=["institution", "credential_id"],
                                    name="unique_api_credential_id"),
            models.UniqueConstraint(fields=["status_list", "status_index"],
                                    name="unique_api_revocation_index"),
            models.UniqueConstraint(fields=["suspension_list", "suspension_index"],
                                    name="unique_api_suspension_index"),
            models.UniqueConstraint(fields=["message_list", "message_index"],
                                    name="unique_api_message_index"),
        )

    def __str__(self) -> str:
        return f"{self.credential_id} ({self.state})"
