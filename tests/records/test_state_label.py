"""One wording of a credential's state for the record pages and /worth, in the reader's language
(`records.record.state_label`, the `state_label` filter in records/_state.html)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation

from microdegree.records.record import state_label


def test_every_state_in_german_on_the_page_and_in_the_choices():
    with translation.override("de"):
        for state, words in [("valid", "Gültig"), ("not yet valid", "Noch nicht gültig"),
                             ("not verified", "Nicht verifiziert")]:
            assert state_label(state) == words
            assert f">{words}</span>" in render_to_string("records/_state.html",
                                                          {"state": state})


def test_an_unknown_state_is_shown_as_it_is():
    assert state_label("archived") == "Archived"
