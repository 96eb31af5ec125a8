"""Webhook subscriptions, the outbox of events, and one delivery per (event, subscription).

An `Event` is written in the transaction of the action that causes it (`outbox.emit`), with one
`Delivery` per subscription that wants it; the task workers send the deliveries (`delivery`).
A subscription's signing secret is sealed under the master key (`institutions.keystore`), bound
to its institution and id, so a sealed value copied onto another row does not open.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from microdegree.institutions import keystore

EVENTS = (
    "credential.issued",
    "credential.revoked",
    "credential.suspended",
    "credential.unsuspended",
    "microdegree.completed",
    "credit_application.decided",
)
TEST_EVENT = "webhook.test"  # sent by "Send a test event" to one subscription only


def secret_context(subscription: Subscription) -> bytes:
    return f"webhook:{subscription.institution_id}:{subscription.uuid}".encode()


class Subscription(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE,
                                    related_name="webhook_subscriptions")
    url = models.CharField(max_length=2000)
    events = models.JSONField(default=list)
    description = models.CharField(max_length=200, blank=True)
    active = models.BooleanField(default=True)
    # never written directly: services.create_subscription seals it (b"" = none)
    secret_sealed = models.BinaryField(default=b"")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return f"{self.url} ({', '.join(self.events)})"

    def secret(self) -> str:
        """The clear secret (`whsec_...`), opened with the master key."""
        sealed = bytes(self.secret_sealed or b"")
        return keystore.default_keystore().open(sealed, secret_context(self)).decode()


class Event(models.Model):
    """One event as it happened; its payload is sent as is to every subscription wanting it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE,
                                    related_name="+")
    type = models.CharField(max_length=60)
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at",)


class Delivery(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("failed (gave up)")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE,
                                     related_name="deliveries")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # a worker sending it holds it until then (a killed worker's delivery is tried again later)
    leased_until = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="webhook_due")]
