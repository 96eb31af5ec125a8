"""Claims against the achievement (microdegree.vc.claims): credits earned above credits
available, results outside their result description, and the grading-scheme shapes read."""

from __future__ import annotations

import pytest

from microdegree.vc.claims import (
    CREDITS_EXCEED,
    RESULT_OUT_OF_RANGE,
    credential_problems,
    credits_problem,
    result_problem,
    scheme_description,
)
from tests.samples import sample_credential


@pytest.mark.parametrize(("earned", "available", "over"), [
    (5, 5, False), (4.5, 5, False), (0, 0, False), (5.01, 5, True), ("50", "5", True),
    ("7,5", 5, True), (None, 5, False), (50, None, False), ("NaN", 5, False), (50, "x", False),
])
def test_credits(earned, available, over):
    found = credits_problem(earned, available)
    assert (found is not None) is over
    if found:
        assert (found.code, found.field, found.limit) == (CREDITS_EXCEED, "creditsEarned",
                                                          float(available))


@pytest.mark.parametrize(("value", "description", "kind"), [
    ("8.5", {"valueMin": "1", "valueMax": "10"}, None),
    ("10", {"valueMin": "1", "valueMax": "10"}, None),
    ("10,5", {"valueMin": "1", "valueMax": "10"}, "range"),
    ("0", {"valueMin": "1"}, "range"),
    ("101", {"valueMax": "100"}, "range"),
    ("good", {"valueMin": "1", "valueMax": "10"}, "number"),
    ("pass", {"allowedValue": ["Pass", "Fail"]}, None),
    ("Merit", {"allowedValue": ["Pass", "Fail"]}, "allowed"),
    ("Proficient", {"rubricCriterionLevel": [{"id": "urn:x:1", "name": "Proficient"}]}, None),
    ("Expert", {"rubricCriterionLevel": [{"id": "urn:x:1", "name": "Proficient"}]}, "allowed"),
    ("anything", {"name": "Free text"}, None),
    ("", {"valueMin": "1", "valueMax": "10"}, None),
])
def test_results(value, description, kind):
    found = result_problem(value, description)
    assert (found.kind if found else None) == kind
    if found:
        assert (found.code, found.field, found.value) == (RESULT_OUT_OF_RANGE, "result", value)


@pytest.mark.parametrize(("scheme", "expected"), [
    ("1-10, 5.5 to pass", {"valueMin": "1", "valueMax": "10", "requiredValue": "5.5"}),
    ("0 to 100 (55 to pass)", {"valueMin": "0", "valueMax": "100", "requiredValue": "55"}),
    ("1\u20135", {"valueMin": "1", "valueMax": "5"}),
    ("Pass/Fail", {"allowedValue": ["Pass", "Fail"]}),
    ("A / B / C", {"allowedValue": ["A", "B", "C"]}),
    ("10-1", {}), ("A-F", {}), ("Graded by the jury", {}), ("", {}),
    ("https://uni.example/grades", {}),
])
def test_grading_schemes(scheme, expected):
    assert scheme_description(scheme) == expected


def test_a_credential_against_its_own_achievement():
    credential = sample_credential("did:example:issuer")
    assert credential_problems(credential) == []
    subject = credential["credentialSubject"]
    subject["creditsEarned"] = 50
    subject["result"][0]["value"] = "11"
    found = credential_problems(credential)
    assert [(p.code, p.field, p.index) for p in found] == [
        (CREDITS_EXCEED, "creditsEarned", 0), (RESULT_OUT_OF_RANGE, "result", 0)]
    # a result naming a description the achievement does not have is not judged
    subject["result"][0]["resultDescription"] = "urn:uuid:elsewhere"
    assert [p.field for p in credential_problems(credential)] == ["creditsEarned"]
