"""The stored text of a signed document is `json.dumps(doc, ensure_ascii=False,
separators=(",", ":"))` byte for byte, though bulk batches write it with orjson.

`issuing.doctext.BatchText` rests on two claims, checked here: orjson and json write
every string, integer, dict and list alike (orjson refuses what it cannot write, and then json
writes it), and differ on floats only where `plain_number` says no. Then, end to end, every
document `prepare_issue` returns is json's own text for generated rows of every shape.
"""

from __future__ import annotations

import json
import math

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from microdegree.issuing import services
from microdegree.issuing.doctext import BatchText, plain_number

from .test_template import rows


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _orjson_or_none(value) -> str | None:
    try:
        return orjson.dumps(value).decode()
    except (orjson.JSONEncodeError, UnicodeDecodeError):
        return None


leaves = (st.text() | st.integers(-(2**63), 2**64 - 1) | st.booleans() | st.none()
          | st.floats().filter(plain_number))
documents = st.recursive(leaves, lambda inner: st.lists(inner, max_size=4)
                         | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                         max_leaves=30)


@settings(max_examples=2000)
@given(documents)
def test_orjson_writes_what_json_writes_or_refuses(value):
    fast = _orjson_or_none(value)
    assert fast is None or fast == _json(value)


@settings(max_examples=2000)
@given(st.floats())
def test_floats_differ_only_whereplain_number_says_so(number):
    if plain_number(number):
        assert orjson.dumps(number).decode() == _json(number)


def test_the_floats_that_differ_are_not_plain():
    for number in (1e16, 1e-7, 1.5e300, math.nan, math.inf, -math.inf):
        assert not plain_number(number)  # every float written with an exponent, and more:
    for number in (1e-7, math.nan, math.inf):  # these orjson writes differently (1e-7, null)
        assert orjson.dumps(number).decode() != _json(number)
    assert all(plain_number(n) for n in (2.5, 5, None))
    assert not any(plain_number(n) for n in (True, "5"))


def test_a_batch_whose_shared_parts_differ_is_written_by_json():
    text = BatchText()
    shared = {"achievement": {"creditsAvailable": 1e-7}}
    assert text({**shared, "n": 1}, credits=5) == _json({**shared, "n": 1})
    assert text.same is False
    assert text({**shared, "n": 2}, credits=5) == _json({**shared, "n": 2})


def test_a_row_with_an_exponent_credit_is_written_by_json():
    text = BatchText()
    assert text({"creditsEarned": 2.5}, credits=2.5) == '{"creditsEarned":2.5}'
    assert text.same is True
    assert text({"creditsEarned": 1e-7}, credits=1e-7) == '{"creditsEarned":1e-07}'
    assert text({"name": "\ud800"}, credits=None) == _json({"name": "\ud800"})


@pytest.mark.django_db
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch_rows=st.lists(rows(), min_size=1, max_size=6),
       tiny=st.sampled_from([None, 1e-7, 1e16, 0.1, 2**70]))
def test_prepared_documents_are_json_text(course, batch_rows, tiny):
    course.credits_available = None  # no limit: any amount's text (the limit: test_limits.py)
    awards = [r.as_dict() for r in batch_rows]
    if tiny is not None:
        awards[-1]["credits_earned"] = tiny
    for item in services.prepare_issue(course, awards):
        assert item["document"] == _json(json.loads(item["document"]))
