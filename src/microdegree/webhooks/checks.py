"""webhooks.E001: production (DEBUG off, a public host) refuses to start with
MICRODEGREE_WEBHOOKS_ALLOW_PRIVATE on: webhooks would reach private addresses (SSRF)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register

from microdegree import config
from microdegree.webhooks.delivery import allow_private


@register(Tags.security)
def private_webhooks(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    if settings.DEBUG or config.is_local_host(config.public_host(settings.PUBLIC_URL)):
        return []
    if not allow_private():
        return []
    return [Error(
        "MICRODEGREE_WEBHOOKS_ALLOW_PRIVATE is on: webhooks would be sent to private and "
        "loopback addresses over plain http, inside your network.",
        hint="Unset it (it is for tests and a local demo only).", id="webhooks.E001")]
