"""RFC 8785: the orjson fast path must be byte-identical to the `rfc8785` reference."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from microdegree.vc import jcs
from microdegree.vc.errors import CanonicalizationError

SAFE = 2**53 - 1

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-SAFE, max_value=SAFE)
    | st.integers()  # out-of-range integers too: both sides must refuse
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
    | st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x40))
    | st.text(alphabet=st.characters(min_codepoint=0xD000, max_codepoint=0x1F700))
)
keys = st.text() | st.text(alphabet=st.characters(min_codepoint=0xDF00, max_codepoint=0x1F700))
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(keys, children, max_size=5),
    max_leaves=30,
)


def _reference(value: Any) -> bytes | None:
    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, UnicodeEncodeError):  # lone surrogates: not UTF-8
        return None


@settings(max_examples=400, deadline=None)
@given(json_values)
def test_matches_rfc8785_on_generated_json(value: Any) -> None:
    expected = _reference(value)
    if expected is None:
        with pytest.raises(CanonicalizationError) as info:
            jcs.canonicalize(value)
        assert info.value.code == "JCS_INVALID"
    else:
        assert jcs.canonicalize(value) == expected


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_fast_path_when_taken_is_identical(value: Any) -> None:
    if jcs._fast_path_safe(value):
        try:
            fast = orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
        except orjson.JSONEncodeError:  # lone surrogate: the reference must refuse too
            fast = None
        assert fast == _reference(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (100.0, b"100"),
        (-0.0, b"0"),
        (1e-07, b"1e-7"),
        ({"b": [1, 100.0], "a": None}, b'{"a":null,"b":[1,100]}'),
        ({"\ufb01": 1, "\U0001f600": 2}, '{"\U0001f600":2,"\ufb01":1}'.encode()),
        ({"\U0001f600": 2, "\ufb01": 1}, '{"\U0001f600":2,"\ufb01":1}'.encode()),
        ("\x1f\b\u2028\x7f", b'"\\u001f\\b\xe2\x80\xa8\x7f"'),
        (2**53 - 1, b"9007199254740991"),
        ({"x": True, "y": [False, "é"]}, '{"x":true,"y":[false,"é"]}'.encode()),
    ],
)
def test_known_answers(value: Any, expected: bytes) -> None:
    assert jcs.canonicalize(value) == expected
    assert rfc8785.dumps(value) == expected


def test_key_order_is_utf16_not_code_point() -> None:
    value = {"\ufb01": 1, "\U0001f600": 2}
    assert not jcs._fast_path_safe(value)
    assert jcs.canonicalize(value).index("\U0001f600".encode()) == 2


@pytest.mark.parametrize("value", [2**60, -(2**53), float("nan"), float("inf"), {1: "x"}])
def test_values_outside_json_are_refused(value: Any) -> None:
    with pytest.raises(CanonicalizationError) as info:
        jcs.canonicalize(value)
    assert info.value.code == "JCS_INVALID"


@pytest.mark.parametrize("value", [{"a": "\ud800"}, {"\udf00": 1}, ["x\udfff"]])
def test_lone_surrogates_are_refused(value: Any) -> None:
    # Not representable in UTF-8: orjson and rfc8785 both refuse, and so do we.
    with pytest.raises(CanonicalizationError) as info:
        jcs.canonicalize(value)
    assert info.value.code == "JCS_INVALID"


def test_fast_path_declines_floats_and_big_ints() -> None:
    assert jcs._fast_path_safe({"a": [1, "x", None, True]})
    assert not jcs._fast_path_safe({"a": 1.5})
    assert not jcs._fast_path_safe({"a": 2**53})
    assert not jcs._fast_path_safe(("a",))
