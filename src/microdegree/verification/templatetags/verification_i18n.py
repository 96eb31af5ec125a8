"""`{{ text|in_reader_language }}`: a sentence the core or the summary wrote in English, translated.

For values computed in Python that also go into JSON unchanged (a summary's "EQF level 6"):
the page shows them in the reader's language, the JSON keeps the English.
"""

from __future__ import annotations

from django import template

from microdegree.verification.wording import check_message

register = template.Library()


@register.filter
def in_reader_language(text: object) -> object:
    """The translated sentence, or the value as it is if it is not a sentence we know."""
    return check_message(text) if isinstance(text, str) else text
