"""Request and response shapes of the webhooks API (django-ninja schemas)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import ConfigDict, Field, model_validator


class JsonObject(Schema):
    """Only a JSON object satisfies it (ninja's Schema also reads attributes)."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, data: Any) -> Any:
        if not isinstance(getattr(data, "_obj", data), dict):
            raise ValueError(_("must be a JSON object"))
        return data


class Error(Schema):
    code: str
    message: str


class SubscriptionIn(JsonObject):
    url: str = Field(max_length=2000, description="https URL receiving POSTed events")
    events: list[str] = Field(min_length=1, max_length=20,
                              description="event types, e.g. credential.issued")
    description: str = Field("", max_length=200)


class SubscriptionPatch(JsonObject):
    active: bool = Field(description="false pauses the subscription, true resumes it")


class SubscriptionOut(Schema):
    id: str
    url: str
    events: list[str]
    description: str
    active: bool
    createdAt: datetime


class SubscriptionCreated(SubscriptionOut):
    secret: str = Field(description="the signing secret (whsec_...), shown this once only")


class DeliveryOut(Schema):
    id: int
    eventId: str
    eventType: str
    state: str = Field(description="pending, delivered or failed (gave up)")
    attempts: int
    lastStatus: int | None
    lastError: str
    lastAttemptAt: datetime | None
    nextAttemptAt: datetime | None
    deliveredAt: datetime | None
    createdAt: datetime
