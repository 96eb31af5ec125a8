"""`{{ code|language_name }}`: a language tag as its name in the reader's language."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language_info

register = template.Library()


@register.filter
def language_name(code: object) -> str:
    """"en" → "English" ("Englisch" in German); "de-AT" → "German (de-AT)" when Django names
    only the first part; a tag Django does not know stays as it is."""
    text = str(code or "")
    try:
        info = get_language_info(text.lower())
    except KeyError:
        return text
    name = str(info["name_translated"])
    return name if info["code"] == text.lower() else f"{name} ({text})"
