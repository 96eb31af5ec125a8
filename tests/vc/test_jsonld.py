"""General JSON-LD path: safe mode like jsonld.js, bundled contexts, agreement with the manifest."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from microdegree.vc import jsonld
from microdegree.vc.contexts import OB_CONTEXT, VC_V2_CONTEXT
from microdegree.vc.errors import CanonicalizationError, ContextError

EXAMPLES = Path(__file__).parent.parent / "data" / "examples"
MANIFEST: list[dict[str, Any]] = json.loads((EXAMPLES / "manifest.json").read_text())

# jsonld.js safe-mode outcome (the manifest's `safe_mode_expand`) -> our error code.
EXPECTED_CODE = {
    "Dropping property that did not expand": "JSONLD_UNDEFINED_TERM",
    "Relative @type reference found": "JSONLD_RELATIVE_IRI",
    "Dropping empty object": "JSONLD_UNSAFE",
    "tried to redefine a protected term": "JSONLD_INVALID",
    "Dereferencing a URL did not result": "JSONLD_CONTEXT_UNKNOWN",
}
# VC 2.0 example with @direction: canonicalised as eddsa-rdfc-2022 in jsonld.js does
# (rdfDirection "i18n-datatype"); jsonld.js's plain toRDF (the manifest's figures) has no
# rdfDirection and refuses it in safe mode, so its N-Quads figures do not apply.
DIRECTION_DOC = "w3c-vc-data-model/ex-L1708-use-of-the-name-and-description-properties.json"


def _load(entry: dict[str, Any]) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((EXAMPLES / entry["file"]).read_text())
    return doc


def _expected_code(outcome: str) -> str:
    for needle, code in EXPECTED_CODE.items():
        if needle in outcome:
            return code
    raise AssertionError(f"unmapped outcome {outcome}")


OK = [e for e in MANIFEST if e["jsonld_js_8_3_3"]["safe_mode_expand"] == "ok"]
REFUSED = [e for e in MANIFEST if e["jsonld_js_8_3_3"]["safe_mode_expand"] != "ok"]


def test_manifest_partition_is_as_documented() -> None:
    assert len(MANIFEST) == 116
    assert len(OK) == 54


@pytest.mark.parametrize("entry", OK, ids=lambda e: e["file"])
def test_safe_documents_canonicalise_like_jsonld_js(entry: dict[str, Any]) -> None:
    doc = _load(entry)
    expected = entry["jsonld_js_8_3_3"]
    assert jsonld.expand_safe(doc)
    if entry["file"] == DIRECTION_DOC:
        canonical = jsonld.canonicalize_general(doc)
        assert "^^<https://www.w3.org/ns/i18n#" in canonical
        assert jsonld.canonicalize_pyld_only(doc) == canonical
        return
    canonical = jsonld.canonicalize_general(doc)
    assert canonical.count("\n") == expected["nquads"]
    assert hashlib.sha256(canonical.encode()).hexdigest()[:16] == expected["nquads_sha256"]
    assert jsonld.canonicalize_pyld_only(doc) == canonical


@pytest.mark.parametrize("entry", REFUSED, ids=lambda e: e["file"])
def test_unsafe_documents_are_refused_with_the_right_code(entry: dict[str, Any]) -> None:
    code = _expected_code(entry["jsonld_js_8_3_3"]["safe_mode_expand"])
    with pytest.raises((CanonicalizationError, ContextError)) as info:
        jsonld.canonicalize_general(_load(entry))
    assert info.value.code == code
    if code == "JSONLD_CONTEXT_UNKNOWN":
        assert isinstance(info.value, ContextError)
    dropped = entry.get("pyld_bundled_only", {}).get("dropped_properties") or []
    if dropped:  # the first dropped term (pyld visits keys in sorted order) is named
        assert any(repr(term) in info.value.message for term in dropped)


def _vc(**extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "@context": [VC_V2_CONTEXT],
        "type": ["VerifiableCredential"],
        "issuer": "https://issuer.example",
        "credentialSubject": {"id": "did:example:1"},
    }
    doc.update(extra)
    return doc


def test_undefined_term_is_named() -> None:
    with pytest.raises(CanonicalizationError) as info:
        jsonld.expand_safe(_vc(favouriteColour="blue"))
    assert info.value.code == "JSONLD_UNDEFINED_TERM"
    assert "'favouriteColour'" in info.value.message


def test_relative_type_is_refused_not_resolved_against_a_base() -> None:
    with pytest.raises(CanonicalizationError) as info:
        jsonld.canonicalize_general(_vc(credentialStatus={"type": "StatusList2021Entry"}))
    assert info.value.code == "JSONLD_RELATIVE_IRI"
    assert "StatusList2021Entry" in info.value.message


def test_relative_id_is_refused() -> None:
    with pytest.raises(CanonicalizationError) as info:
        jsonld.canonicalize_general(_vc(id="credential-1"))
    assert info.value.code == "JSONLD_RELATIVE_IRI"


def test_relative_datatype_is_refused() -> None:
    # pyld itself rejects a non-IRI datatype ("invalid typed value"), before our IRI check.
    doc = _vc(name={"@value": "x", "@type": "myType"})
    with pytest.raises(CanonicalizationError) as info:
        jsonld.canonicalize_general(doc)
    assert info.value.code == "JSONLD_INVALID"


def test_unbundled_context_is_a_context_error() -> None:
    doc = _vc()
    doc["@context"] = [VC_V2_CONTEXT, "https://evil.example/context.json"]
    with pytest.raises(ContextError) as info:
        jsonld.canonicalize_general(doc)
    assert info.value.code == "JSONLD_CONTEXT_UNKNOWN"


def test_other_jsonld_errors_are_canonicalization_errors() -> None:
    doc = _vc()
    doc["@context"] = [VC_V2_CONTEXT, {"name": "https://example.org/other-name"}]
    with pytest.raises(CanonicalizationError) as info:
        jsonld.canonicalize_general(doc)
    assert info.value.code == "JSONLD_INVALID"
    assert "protected term" in info.value.message


def test_non_object_document_is_refused() -> None:
    with pytest.raises(CanonicalizationError):
        jsonld.expand_safe([])  # type: ignore[arg-type]


def test_direction_is_signed_as_the_i18n_datatype() -> None:
    doc = _vc(name={"@value": "x", "@language": "AR", "@direction": "rtl"})
    assert jsonld.expand_safe(doc)
    assert '"x"^^<https://www.w3.org/ns/i18n#ar_rtl>' in jsonld.to_nquads_general(doc)


def test_a_base_direction_other_than_ltr_or_rtl_is_refused() -> None:
    doc = _vc(name={"@value": "x", "@direction": "up"})
    with pytest.raises(CanonicalizationError):
        jsonld.canonicalize_general(doc)


def test_blank_node_poisoning_is_refused_from_json_ld() -> None:
    n = 7
    nodes: list[dict[str, Any]] = [{"@id": f"_:n{i}"} for i in range(n)]
    for i, node in enumerate(nodes):
        node["http://example.org/p"] = [{"@id": f"_:n{j}"} for j in range(n) if j != i]
    with pytest.raises(CanonicalizationError) as info:
        jsonld.canonicalize_general({"@graph": nodes})
    assert info.value.code == "RDFC_POISONED"


def test_both_canonicalisers_agree_on_an_open_badge() -> None:
    doc = {
        "@context": [VC_V2_CONTEXT, OB_CONTEXT],
        "id": "urn:uuid:1",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "https://issuer.example", "type": ["Profile"], "name": "Issuer"},
        "validFrom": "2024-01-01T00:00:00Z",
        "name": "Badge",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://issuer.example/a/1",
                "type": ["Achievement"],
                "name": "A",
                "description": "D",
                "criteria": {"narrative": "Do it"},
            },
        },
    }
    canonical = jsonld.canonicalize_general(doc)
    assert canonical == jsonld.canonicalize_pyld_only(doc)
    assert jsonld.to_nquads_general(doc).count("\n") == canonical.count("\n")


def test_language_tags_are_lower_cased_by_expansion_as_in_jsonld_js() -> None:
    doc = _vc(name={"@value": "Colour", "@language": "en-GB"})
    canonical = jsonld.canonicalize_general(doc)
    assert '"Colour"@en-gb' in canonical
    assert canonical == jsonld.canonicalize_pyld_only(doc)


def test_invalid_language_tag_is_refused() -> None:
    with pytest.raises(CanonicalizationError) as info:
        jsonld.expand_safe(_vc(name={"@value": "x", "@language": "en_GB"}))
    assert info.value.code == "JSONLD_UNSAFE"


def test_control_characters_are_escaped_as_rdfc_requires() -> None:
    # RDFC-1.0 and rdf-canonize 5 (Digital Bazaar) escape \b, \f and other controls; pyld's own
    # serialiser writes them raw. We follow the spec; the pyld-only baseline differs only there.
    doc = _vc(name="a\x01b\x0cc\td")
    canonical = jsonld.canonicalize_general(doc)
    assert '"a\\u0001b\\fc\\td"' in canonical
    baseline = jsonld.canonicalize_pyld_only(doc)
    assert '"a\x01b\x0cc\\td"' in baseline
    assert baseline.replace("\x01", "\\u0001").replace("\x0c", "\\f") == canonical
