"""`relatedResource` (VC Data Model 2.0, section 5.3), from the specification's own examples.

Example 26 (digestMultibase of the v2 context) matches the published context byte for byte.
Example 25 as printed in the Recommendation has a stray leading "M" in both SRI values (65
base64 characters for a 48-byte digest), so it is refused as malformed; with the "M" removed it
matches the published bytes.
"""

from __future__ import annotations

import copy

import pytest

from microdegree.vc import related
from microdegree.vc.contexts import context_bytes
from microdegree.vc.report import Outcome
from microdegree.vc.verify import verify
from tests.vc.helpers import CREATED, key_from, vm_of

V2 = "https://www.w3.org/ns/credentials/v2"
EXAMPLES_V2 = "https://www.w3.org/ns/credentials/examples/v2"

EXAMPLE_26 = [
    {"id": V2, "digestMultibase": "uEiBZlVztZpfWHgPyslVv6-UwirFoQoRvW1htfx963sknNA"},
    {"id": EXAMPLES_V2, "digestMultibase": "uEiBXOT-8adbvubm13Jy2uYgLCUQ2Cr_i6vRZyeWM8iedfA"},
]
EXAMPLE_25_AS_PRINTED = [
    {"id": V2, "digestSRI":
     "sha384-Ml/HrjlBCNWyAX91hr6LFV2Y3heB5Tcr6IeE4/Tje8YyzYBM8IhqjHWiWpr8+ZbYU"},
    {"id": EXAMPLES_V2, "digestSRI":
     "sha384-MzNNbQTWCSUSi0bbz7dbua+RcENv7C6FvlmYJ1Y+I727HsPOHdzwELMYO9Mz68M26"},
]


def _doc(resources: object) -> dict[str, object]:
    return {"relatedResource": resources}


def _codes(resources: object) -> list[str]:
    return [code for code, _, _ in related.problems(_doc(resources))]


def test_example_26_matches_the_published_contexts() -> None:
    assert related.problems(_doc(EXAMPLE_26)) == []
    assert related.checked(_doc(EXAMPLE_26)) == [V2, EXAMPLES_V2]


def test_example_25_as_printed_is_malformed_and_corrected_it_matches() -> None:
    assert _codes(EXAMPLE_25_AS_PRINTED) == ["RELATED_RESOURCE_INVALID"] * 2
    corrected = [{**item, "digestSRI": item["digestSRI"].replace("sha384-M", "sha384-")}
                 for item in EXAMPLE_25_AS_PRINTED]
    assert related.problems(_doc(corrected)) == []


def test_digests_we_write_match_and_a_changed_byte_does_not() -> None:
    data = context_bytes(V2)
    assert related.sri_digest(data) == ("sha384-l/HrjlBCNWyAX91hr6LFV2Y3heB5Tcr6IeE4/Tje8YyzYBM8"
                                        "IhqjHWiWpr8+ZbYU")
    assert related.multibase_digest(data) == EXAMPLE_26[0]["digestMultibase"]
    for algorithm in ("sha256", "sha384", "sha512"):
        assert _codes([{"id": V2, "digestSRI": related.sri_digest(data, algorithm)}]) == []
    other = related.sri_digest(data + b" ")
    assert _codes([{"id": V2, "digestSRI": other}]) == ["RELATED_RESOURCE_MISMATCH"]
    assert _codes([{"id": V2, "digestMultibase": related.multibase_digest(data[:-1])}]) == [
        "RELATED_RESOURCE_MISMATCH"]
    # both digests given: each must match
    assert _codes([{"id": V2, "digestSRI": related.sri_digest(data),
                    "digestMultibase": related.multibase_digest(b"x")}]) == [
        "RELATED_RESOURCE_MISMATCH"]


@pytest.mark.parametrize(("resources", "code"), [
    ({"id": V2, "digestMultibase": EXAMPLE_26[0]["digestMultibase"]}, None),  # one object: ok
    ("https://www.w3.org/ns/credentials/v2", "RELATED_RESOURCE_INVALID"),
    (["https://www.w3.org/ns/credentials/v2"], "RELATED_RESOURCE_INVALID"),
    ([], "RELATED_RESOURCE_INVALID"),
    ([{"digestSRI": "sha384-x"}], "RELATED_RESOURCE_INVALID"),
    ([{"id": "not a url", "digestSRI": "sha384-x"}], "RELATED_RESOURCE_INVALID"),
    ([{"id": "https://example.org/a.png"}], "RELATED_RESOURCE_NO_DIGEST"),
    ([EXAMPLE_26[0], EXAMPLE_26[0]], "RELATED_RESOURCE_DUPLICATE"),
    ([{"id": "https://example.org/a.png", "digestSRI": "md5-AAAA"}], "RELATED_RESOURCE_INVALID"),
    ([{"id": "https://example.org/a.png", "digestMultibase": "uAAAA"}],
     "RELATED_RESOURCE_INVALID"),
    ([{"id": "https://example.org/a.png", "digestMultibase": 7}], "RELATED_RESOURCE_INVALID"),
])
def test_malformed_lists_are_refused(resources: object, code: str | None) -> None:
    assert _codes(resources) == ([] if code is None else [code])


def test_a_resource_not_held_here_is_only_checked_for_form() -> None:
    resource = {"id": "https://example.org/logo.png",
                "digestSRI": related.sri_digest(b"whatever the logo is")}
    assert related.problems(_doc([resource])) == []
    assert related.checked(_doc([resource])) == []


def _signed(resources: object) -> dict[str, object]:
    from microdegree.vc import did, proofs
    from tests.samples import sample_credential

    key = key_from(1)
    doc = sample_credential(did.did_key(key), status_list=None)
    doc["relatedResource"] = copy.deepcopy(resources)
    return proofs.sign(doc, key, verification_method=vm_of(key), created=CREATED)


def test_verification_reports_the_related_resources() -> None:
    good = verify(_signed(EXAMPLE_26))
    assert good.verified, good.to_json()
    check = next(c for c in good.checks if c.name == "related")
    assert (check.outcome, check.code) == (Outcome.PASS, "RELATED_RESOURCES_OK")
    assert check.details["checked"] == [V2, EXAMPLES_V2]
    wrong = copy.deepcopy(EXAMPLE_26)
    wrong[0]["digestMultibase"] = related.multibase_digest(b"another context")
    bad = verify(_signed(wrong))  # signed as it is: only the digest is wrong
    assert not bad.verified
    failed = next(c for c in bad.checks if c.name == "related")
    assert (failed.outcome, failed.code) == (Outcome.FAIL, "RELATED_RESOURCE_MISMATCH")
    assert V2 in failed.message
    assert next(c for c in bad.checks if c.name == "proof").outcome is Outcome.PASS
