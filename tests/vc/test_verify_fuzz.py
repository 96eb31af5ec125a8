"""Property test: random mutations of valid credentials never make `verify` raise.

Every mutated document gets a report; none may end in the catch-all VERIFIER_INTERNAL_ERROR (that
would mean an unexpected exception was swallowed, i.e. a bug). (Whether a mutation verifies is not
asserted: some JSON changes, e.g. "type": ["Profile"] to "Profile", leave the signed RDF unchanged.)
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from microdegree.vc.report import Report
from microdegree.vc.verify import verify

from .helpers import MemoryFetcher, key_from, signed_credential, status_list_credential

NOW = datetime(2026, 6, 1, tzinfo=UTC)
KEY = key_from(1)
BASE = {
    "rdfc": signed_credential(KEY, status=True),
    "jcs": signed_credential(KEY, suite="eddsa-jcs-2022", status=True),
}
FETCHER = MemoryFetcher({"https://uni.example/status/demo/1": status_list_credential(KEY, {3})})

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.sampled_from(
        [
            "",
            "did:key:z6Mk",
            "urn:uuid:x",
            "https://x.example/",
            "2026-13-40T99:00:00Z",
            "VerifiableCredential",
            "DataIntegrityProof",
            "eddsa-rdfc-2022",
            "@context",
            "@id",
            "z",
            "u",
            "did:web:127.0.0.1",
        ]
    ),
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.sampled_from(
                ["id", "type", "@id", "@type", "@context", "x", "@value", "@list", "proof", "name"]
            ),
            children,
            max_size=4,
        ),
    ),
    max_leaves=12,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            out.extend(_paths(child, (*prefix, key)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            out.extend(_paths(child, (*prefix, index)))
    return out


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    doc = copy.deepcopy(BASE[draw(st.sampled_from(sorted(BASE)))])
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        paths = [p for p in _paths(doc) if p]
        path = draw(st.sampled_from(paths))
        parent: Any = doc
        for part in path[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "delete", "insert"]))
        last = path[-1]
        if action == "replace":
            parent[last] = draw(json_values)
        elif action == "delete":
            del parent[last]
        elif isinstance(parent, dict):
            parent[draw(st.text(max_size=8))] = draw(json_values)
        else:
            parent.insert(last, draw(json_values))
    return doc


def _all_codes(report: Report) -> list[str]:
    codes = report.codes()
    for child in report.nested:
        codes.extend(_all_codes(child))
    return codes


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_verify_never_raises_on_mutated_credentials(doc):
    report = verify(doc, now=NOW, status_fetcher=FETCHER)
    assert isinstance(report, Report)
    assert "VERIFIER_INTERNAL_ERROR" not in _all_codes(report), report.to_json()
    assert report.to_json()["checks"]  # every report explains itself


def test_the_unmutated_bases_verify():
    for doc in BASE.values():
        assert verify(doc, now=NOW, status_fetcher=FETCHER).verified
