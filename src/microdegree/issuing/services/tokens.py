"""API tokens: bearer tokens of an institution, stored as hashes, shown once."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from microdegree.audit.services import log_action
from microdegree.base.tokens import token_hash
from microdegree.institutions.models import Institution
from microdegree.issuing.errors import Invalid
from microdegree.issuing.models import ApiToken

TOKEN_PREFIX = "mdt_"  # noqa: S105 - a public prefix that marks our tokens, not a secret


def create_api_token(actor: Any, inst: Institution, name: str, *, role: str = "issuer"
                     ) -> tuple[ApiToken, str]:
    """A new bearer token; the raw value is returned once and never stored."""
    if role not in ApiToken.Role.values:
        raise Invalid(_("Unknown role %(role)s.") % {"role": repr(role)}, code="ROLE_INVALID")
    if not (name or "").strip():
        raise Invalid(_("Name the token."), code="NAME_REQUIRED")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            institution=inst, name=name.strip()[:100], prefix=raw[:12],
            token_hash=token_hash(raw), role=role,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        log_action(actor, "issuing.api_token_created", token, institution_id=inst.pk,
                   after={"name": token.name, "prefix": token.prefix, "role": role})
    return token, raw


def revoke_api_token(actor: Any, token: ApiToken) -> ApiToken:
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        log_action(actor, "issuing.api_token_revoked", token,
                   institution_id=token.institution_id, after={"prefix": token.prefix})
    return token


def token_from(raw: str) -> ApiToken | None:
    """The live token with this value, or None (touches `last_used_at` at most once a minute)."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = (ApiToken.objects.select_related("institution")
             .filter(token_hash=token_hash(raw), revoked_at__isnull=True).first())
    if token is not None:
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
