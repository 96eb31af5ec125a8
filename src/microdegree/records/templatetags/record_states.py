"""`{{ state|state_label }}`: a credential's state in words (records.record.state_label)."""

from __future__ import annotations

from django import template

from microdegree.records.record import state_label as _state_label

register = template.Library()


@register.filter
def state_label(state: str) -> str:
    return _state_label(str(state or ""))
