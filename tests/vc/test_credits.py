"""One parser for credit amounts (microdegree.vc.credits): finite numbers of zero or more."""

from __future__ import annotations

import pytest

from microdegree.vc.credits import CreditsInvalid, parse_credits


@pytest.mark.parametrize(("value", "expected"), [
    (5, 5.0), (7.5, 7.5), ("7.5", 7.5), ("7,5", 7.5), (" 30 ", 30.0), (0, 0.0),
    (None, None), ("", None), ("  ", None),
])
def test_accepted(value, expected):
    assert parse_credits(value) == expected


@pytest.mark.parametrize("value", [
    "NaN", "nan", float("nan"), "Infinity", "-Infinity", float("inf"), "1e999", 10**400,
    -5, "-5", -0.5, "five", True, [], {},
])
def test_refused_with_a_sentence(value):
    with pytest.raises(CreditsInvalid) as raised:
        parse_credits(value, "ECTS")
    assert raised.value.code == "CREDITS_INVALID"
    assert raised.value.message.startswith("The ECTS value ")
    assert raised.value.message.endswith("credits must be a finite number of zero or more.")
