"""The issuer's name in a document against the name a trusted registry knows its DID by
(`issuer.name`, ISSUER_NAME_MISMATCH: docs/adr/0014-issuer-identity.md)."""

from __future__ import annotations

from datetime import UTC, datetime

from microdegree.vc import did
from microdegree.vc.registry import StaticRegistry
from microdegree.vc.report import Outcome
from microdegree.vc.verify import verify

from .helpers import key_from, signed_credential

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def _signed():
    """The helpers' credential, whose issuer profile says "Example University"."""
    key = key_from(1)
    doc = signed_credential(key)
    assert doc["issuer"]["name"] == "Example University"
    return key, doc


def test_a_differing_name_is_a_warning_naming_both():
    key, doc = _signed()
    registry = StaticRegistry("operator list", {did.did_key(key): "Other University"})
    report = verify(doc, now=NOW, registry=registry)
    [check] = [c for c in report.checks if c.name == "issuer.name"]
    assert (check.outcome, check.code) == (Outcome.WARN, "ISSUER_NAME_MISMATCH")
    assert check.message == ("The document calls its issuer Example University; the registry "
                             "(operator list) knows this DID as Other University.")
    assert report.verified  # a warning: the signature is fine, the name is not vouched for


def test_the_same_name_or_a_list_of_bare_dids_is_no_warning():
    key, doc = _signed()
    for registry in (StaticRegistry("operator list", {did.did_key(key): "Example  University"}),
                     StaticRegistry("operator list", [did.did_key(key)])):
        report = verify(doc, now=NOW, registry=registry)
        assert not [c for c in report.checks if c.name == "issuer.name"]
