"""Template helpers for pages of other apps that link to awarding (e.g. the catalogue)."""

from __future__ import annotations

from typing import Any

from django import template

from microdegree.institutions import services as inst_services

register = template.Library()


@register.filter
def can_award(institution: Any, user: Any) -> bool:
    """Whether `user` may award at `institution` (issuer or owner there, or platform admin):
    links to the award pages are shown only to those the pages would not refuse."""
    if not getattr(user, "is_authenticated", False):
        return False
    if getattr(user, "is_superuser", False):
        return True
    return inst_services.role_of(user, institution) in ("issuer", "owner")
