"""The verification pipeline: one check per step, with codes a caller can act on."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

import pytest

from microdegree.vc import did, proofs
from microdegree.vc.builders import hash_identity
from microdegree.vc.registry import StaticRegistry
from microdegree.vc.report import Outcome
from microdegree.vc.verify import Limits, verify
from tests.samples import sample_credential

from .helpers import (
    CREATED,
    STATUS_URL,
    MemoryFetcher,
    key_from,
    signed_credential,
    status_list_credential,
    tampered,
    vm_of,
)

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def outcome_of(report, name: str) -> tuple[Outcome, str]:
    check = next(c for c in report.checks if c.name == name)
    return check.outcome, check.code


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
def test_a_signed_credential_verifies_with_every_check_named(suite):
    report = verify(signed_credential(suite=suite), now=NOW)
    assert report.verified, report.to_json()
    assert report.document_type == "OpenBadgeCredential"
    assert outcome_of(report, "structure") == (Outcome.PASS, "STRUCTURE_VALID")
    assert outcome_of(report, "schema") == (Outcome.PASS, "SCHEMA_VALID")
    assert outcome_of(report, "proof") == (Outcome.PASS, "PROOF_VALID")
    assert outcome_of(report, "issuer.key") == (Outcome.PASS, "KEY_BOUND_TO_ISSUER")
    assert outcome_of(report, "validity") == (Outcome.PASS, "VALIDITY_OK")
    assert all(c.message.endswith(".") for c in report.checks)


def test_json_text_and_bytes_are_accepted():
    doc = signed_credential()
    assert verify(json.dumps(doc), now=NOW).verified
    assert verify(json.dumps(doc).encode(), now=NOW).verified


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (["name"], "Another Name"),
        (["credentialSubject", "achievement", "name"], "Quantum Physics"),
        (["credentialSubject", "creditsEarned"], 50),
        (["validFrom"], "2026-01-16T00:00:00Z"),
    ],
)
def test_any_change_after_signing_breaks_the_signature(path, value):
    report = verify(tampered(signed_credential(), path, value), now=NOW)
    assert not report.verified
    assert outcome_of(report, "proof") == (Outcome.FAIL, "PROOF_INVALID_SIGNATURE")


def test_a_key_that_is_not_the_issuers_is_caught_apart_from_the_signature():
    # Signed correctly by key 2, but claims key 1's DID as issuer.
    key1, key2 = key_from(1), key_from(2)
    doc = sample_credential(did.did_key(key1), status_list=None)
    signed = proofs.sign(doc, key2, verification_method=vm_of(key2), created=CREATED)
    report = verify(signed, now=NOW)
    assert outcome_of(report, "proof") == (Outcome.PASS, "PROOF_VALID")
    assert outcome_of(report, "issuer.key") == (Outcome.FAIL, "KEY_NOT_ISSUERS")
    assert not report.verified


def test_a_key_not_authorised_for_assertion_is_refused():
    key = key_from(3)
    issuer = "did:web:uni.example:issuers:demo"
    doc_did = did.did_web_document(issuer, [("key-0", key.public_multibase)], assertion=[])
    resolver = did.StaticResolver({issuer: doc_did})
    doc = sample_credential(issuer, status_list=None)
    signed = proofs.sign(doc, key, verification_method=f"{issuer}#key-0", created=CREATED)
    report = verify(signed, now=NOW, resolver=resolver)
    assert outcome_of(report, "issuer.key") == (Outcome.FAIL, "KEY_NOT_AUTHORIZED")


def test_did_web_issuer_with_pinned_document_verifies():
    key = key_from(4)
    issuer = "did:web:uni.example:issuers:demo"
    resolver = did.StaticResolver(
        {issuer: did.did_web_document(issuer, [("key-0", key.public_multibase)])}
    )
    signed = proofs.sign(
        sample_credential(issuer, status_list=None),
        key,
        verification_method=f"{issuer}#key-0",
        created=CREATED,
    )
    assert verify(signed, now=NOW, resolver=resolver).verified


def test_unresolvable_did_web_is_a_clear_failure_not_an_exception():
    key = key_from(4)
    issuer = "did:web:uni.example:issuers:demo"
    signed = proofs.sign(
        sample_credential(issuer, status_list=None),
        key,
        verification_method=f"{issuer}#key-0",
        created=CREATED,
    )
    report = verify(signed, now=NOW)  # default resolver: did:key only
    assert not report.verified
    outcome, code = outcome_of(report, "proof")
    assert outcome is Outcome.FAIL
    assert code != "VERIFIER_INTERNAL_ERROR"


def test_validity_window_with_clock_skew():
    doc = signed_credential(validUntil="2026-03-01T00:00:00Z")
    assert verify(doc, now=datetime(2026, 2, 1, tzinfo=UTC)).verified
    expired = verify(doc, now=datetime(2026, 3, 2, tzinfo=UTC))
    assert outcome_of(expired, "validity") == (Outcome.FAIL, "EXPIRED")
    # within the default five-minute skew of validFrom: still fine
    early = verify(doc, now=datetime(2026, 1, 14, 23, 57, tzinfo=UTC))
    assert outcome_of(early, "validity")[0] is Outcome.PASS
    too_early = verify(doc, now=datetime(2026, 1, 14, tzinfo=UTC))
    assert outcome_of(too_early, "validity") == (Outcome.FAIL, "NOT_YET_VALID")


def test_inverted_dates_are_reported():
    doc = signed_credential(validUntil="2025-01-01T00:00:00Z")
    assert outcome_of(verify(doc, now=NOW), "validity") == (Outcome.FAIL, "DATES_INVERTED")


class TestStatus:
    def test_not_revoked(self):
        key = key_from(1)
        fetcher = MemoryFetcher({STATUS_URL: status_list_credential(key, {1, 2})})
        report = verify(signed_credential(key, status=True), now=NOW, status_fetcher=fetcher)
        assert outcome_of(report, "status") == (Outcome.PASS, "STATUS_OK")
        assert report.verified

    def test_revoked(self):
        key = key_from(1)
        fetcher = MemoryFetcher({STATUS_URL: status_list_credential(key, {94567})})
        report = verify(signed_credential(key, status=True), now=NOW, status_fetcher=fetcher)
        assert outcome_of(report, "status") == (Outcome.FAIL, "STATUS_REVOKED")
        assert not report.verified

    def test_suspended(self):
        key = key_from(1)
        doc = sample_credential(did.did_key(key), status_list=STATUS_URL)
        doc["credentialStatus"]["statusPurpose"] = "suspension"
        signed = proofs.sign(doc, key, verification_method=vm_of(key), created=CREATED)
        fetcher = MemoryFetcher(
            {STATUS_URL: status_list_credential(key, {94567}, purpose="suspension")}
        )
        report = verify(signed, now=NOW, status_fetcher=fetcher)
        assert outcome_of(report, "status") == (Outcome.FAIL, "STATUS_SUSPENDED")

    def test_unreachable_list_is_a_retrieval_error_never_ok(self):
        # Bitstring Status List 1.0, section 3.2: a list that cannot be retrieved is an error
        report = verify(signed_credential(status=True), now=NOW, status_fetcher=MemoryFetcher({}))
        assert outcome_of(report, "status") == (Outcome.FAIL, "STATUS_RETRIEVAL_ERROR")
        assert not report.verified
        assert "cannot be verified" in report.errors[0].message
        accepted = verify(
            signed_credential(status=True),
            now=NOW,
            status_fetcher=MemoryFetcher({}),
            accept_unknown_status=True,
        )
        assert outcome_of(accepted, "status") == (Outcome.WARN, "STATUS_RETRIEVAL_ERROR")
        assert accepted.verified  # only when the caller says it accepts an unknown status

    def test_no_fetcher_is_unknown(self):
        report = verify(signed_credential(status=True), now=NOW)
        assert outcome_of(report, "status") == (Outcome.WARN, "STATUS_UNKNOWN")

    def test_list_with_a_broken_proof_makes_status_unknown(self):
        key = key_from(1)
        bad_list = status_list_credential(key, set())
        bad_list["validFrom"] = "2026-02-02T00:00:00Z"  # tampered after signing
        fetcher = MemoryFetcher({STATUS_URL: bad_list})
        report = verify(signed_credential(key, status=True), now=NOW, status_fetcher=fetcher)
        assert outcome_of(report, "status") == (Outcome.FAIL, "STATUS_VERIFICATION_ERROR")
        assert not report.verified

    def test_list_signed_by_someone_else_is_unknown(self):
        key, other = key_from(1), key_from(9)
        forged = status_list_credential(other, set())
        forged["issuer"] = did.did_key(key)  # claims the issuer, signed by another key
        forged = proofs.sign(
            {k: v for k, v in forged.items() if k != "proof"},
            other,
            verification_method=vm_of(other),
            created=CREATED,
        )
        fetcher = MemoryFetcher({STATUS_URL: forged})
        report = verify(signed_credential(key, status=True), now=NOW, status_fetcher=fetcher)
        assert outcome_of(report, "status") == (Outcome.FAIL, "STATUS_VERIFICATION_ERROR")
        accepted = verify(signed_credential(key, status=True), now=NOW, status_fetcher=fetcher,
                          accept_unknown_status=True)
        assert outcome_of(accepted, "status") == (Outcome.WARN, "STATUS_VERIFICATION_ERROR")

    def test_issuer_records_add_a_suspension_the_credential_does_not_carry(self):
        key = key_from(1)
        fetcher = MemoryFetcher({STATUS_URL: status_list_credential(key, set())})
        signed = signed_credential(key, status=True)
        seen: list[str] = []

        def records(document):
            seen.append(document["id"])
            return "suspended"

        report = verify(signed, now=NOW, status_fetcher=fetcher, issuer_records=records)
        assert seen == [signed["id"]]
        assert not report.verified
        codes = [(c.outcome, c.code) for c in report.checks if c.name == "status"]
        assert codes == [(Outcome.PASS, "STATUS_OK"), (Outcome.FAIL, "STATUS_SUSPENDED")]
        suspended = report.errors[0]
        assert suspended.details["statusPurpose"] == "suspension"
        assert suspended.message.endswith(
            "Outside verifiers that read only the credential's status entry see it as not "
            "revoked.")
        # what others see: without the records, the same credential verifies
        assert verify(signed, now=NOW, status_fetcher=fetcher).verified

    def test_issuer_records_do_not_repeat_what_the_entry_says(self):
        key = key_from(1)
        fetcher = MemoryFetcher({STATUS_URL: status_list_credential(key, {94567})})
        report = verify(signed_credential(key, status=True), now=NOW, status_fetcher=fetcher,
                        issuer_records=lambda document: "revoked")
        assert [c.code for c in report.errors] == ["STATUS_REVOKED"]
        clear = verify(signed_credential(key), now=NOW, issuer_records=lambda document: None)
        assert clear.verified
        no_entry = verify(signed_credential(key), now=NOW,
                          issuer_records=lambda document: "suspended")
        assert no_entry.errors[0].message.endswith(
            "The credential names no status list, so outside verifiers cannot see this.")


class TestRegistryAndRecipient:
    def test_known_and_unknown_issuer_are_reported_apart_from_validity(self):
        key = key_from(1)
        doc = signed_credential(key)
        known = StaticRegistry("operator-trusted", {did.did_key(key): "Example University"})
        report = verify(doc, now=NOW, registry=known)
        assert outcome_of(report, "issuer.registry") == (Outcome.PASS, "ISSUER_KNOWN")
        unknown = verify(doc, now=NOW, registry=StaticRegistry("operator-trusted", []))
        assert outcome_of(unknown, "issuer.registry") == (Outcome.WARN, "ISSUER_UNKNOWN")
        assert unknown.verified
        assert not verify(
            doc, now=NOW, registry=StaticRegistry("x", []), fatal={"ISSUER_UNKNOWN"}
        ).verified

    def test_recipient_by_did(self):
        doc = signed_credential()
        subject = doc["credentialSubject"]["id"]
        assert outcome_of(verify(doc, now=NOW, recipient=subject), "recipient")[1] == (
            "RECIPIENT_MATCH"
        )
        report = verify(doc, now=NOW, recipient="did:key:z6MkSomeoneElse")
        assert outcome_of(report, "recipient") == (Outcome.FAIL, "RECIPIENT_MISMATCH")

    def test_recipient_by_salted_email_hash(self):
        key = key_from(1)
        doc = sample_credential(did.did_key(key), status_list=None)
        subject = doc["credentialSubject"]
        del subject["id"]
        subject["identifier"] = [hash_identity("ada@example.org", salt="s4lt")]
        signed = proofs.sign(doc, key, verification_method=vm_of(key), created=CREATED)
        ok = verify(signed, now=NOW, recipient="ada@example.org")
        assert outcome_of(ok, "recipient") == (Outcome.PASS, "RECIPIENT_MATCH")
        assert ok.verified
        bad = verify(signed, now=NOW, recipient="eve@example.org")
        assert outcome_of(bad, "recipient") == (Outcome.FAIL, "RECIPIENT_MISMATCH")


class TestPresentations:
    def _vp(self, holder_key, credential, *, challenge=None, domain=None, sign=True):
        holder = did.did_key(holder_key)
        vp = {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiablePresentation"],
            "holder": holder,
            "verifiableCredential": [credential],
        }
        if not sign:
            return vp
        return proofs.sign(
            vp,
            holder_key,
            verification_method=vm_of(holder_key),
            proof_purpose="authentication",
            challenge=challenge,
            domain=domain,
            created=CREATED,
        )

    def test_signed_presentation_with_challenge_and_domain(self):
        vp = self._vp(
            key_from(7), signed_credential(), challenge="c-123", domain="verifier.example"
        )
        report = verify(vp, now=NOW, challenge="c-123", domain="verifier.example")
        assert report.verified, report.to_json()
        assert report.document_type == "VerifiablePresentation"
        assert len(report.nested) == 1
        assert report.nested[0].verified

    def test_wrong_challenge_is_a_replay(self):
        vp = self._vp(key_from(7), signed_credential(), challenge="old")
        report = verify(vp, now=NOW, challenge="new")
        assert not report.verified
        assert report.has("CHALLENGE_MISMATCH")

    def test_unsigned_presentation_verifies_its_credentials_only(self):
        vp = self._vp(key_from(7), signed_credential(), sign=False)
        report = verify(vp, now=NOW)
        assert report.verified
        assert report.has("PRESENTATION_UNSIGNED")
        assert not verify(vp, now=NOW, challenge="x").verified

    def test_a_bad_credential_inside_fails_the_presentation(self):
        inner = tampered(signed_credential(), ["name"], "forged")
        report = verify(self._vp(key_from(7), inner, sign=False), now=NOW)
        assert not report.verified
        assert report.nested[0].has("PROOF_INVALID_SIGNATURE")


def test_clr_envelope_and_nested_credentials_are_each_verified():
    key = key_from(5)
    issuer = did.did_key(key)
    inner = signed_credential(key)
    clr = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:uuid:1e1b6c3e-6f6c-4c43-8d7e-0d1c6c1f0c11",
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Example University"},
        "name": "Transcript",
        "validFrom": CREATED,
        "credentialSubject": {
            "type": ["ClrSubject"],
            "id": inner["credentialSubject"]["id"],
            "verifiableCredential": [inner],
        },
    }
    signed = proofs.sign(clr, key, verification_method=vm_of(key), created=CREATED)
    report = verify(signed, now=NOW)
    assert report.verified, report.to_json()
    assert report.document_type == "ClrCredential"
    assert [r.document_type for r in report.nested] == ["OpenBadgeCredential"]
    broken = copy.deepcopy(clr)
    broken["credentialSubject"]["verifiableCredential"][0]["name"] = "forged"
    resigned = proofs.sign(broken, key, verification_method=vm_of(key), created=CREATED)
    report = verify(resigned, now=NOW)
    assert outcome_of(report, "proof")[0] is Outcome.PASS  # the envelope itself is fine
    assert not report.verified  # but a nested credential is not
    assert report.nested[0].has("PROOF_INVALID_SIGNATURE")


class TestBadInput:
    @pytest.mark.parametrize(
        ("document", "code"),
        [
            ("{not json", "JSON_MALFORMED"),
            (b"\xff\xfe", "JSON_MALFORMED"),
            ("[1, 2]", "DOCUMENT_NOT_OBJECT"),
            ('{"a": NaN}', "JSON_MALFORMED"),
            ({"type": ["Thing"]}, "TYPE_MISSING"),
        ],
    )
    def test_malformed_input(self, document, code):
        report = verify(document, now=NOW)
        assert not report.verified
        assert report.has(code)

    def test_too_deep(self):
        deep: dict = {}
        node = deep
        for _ in range(200):
            node["x"] = {}
            node = node["x"]
        report = verify(deep, now=NOW)
        assert report.has("DOCUMENT_TOO_DEEP")

    def test_too_large(self):
        doc = signed_credential()
        report = verify(json.dumps(doc), now=NOW, limits=Limits(max_bytes=1000))
        assert report.has("DOCUMENT_TOO_LARGE")

    def test_undefined_term_under_rdfc_is_a_failed_proof_check(self):
        key = key_from(1)
        doc = signed_credential(key)
        doc["credentialSubject"]["favouriteColour"] = "green"  # defined by no context
        report = verify(doc, now=NOW)
        outcome, code = outcome_of(report, "proof")
        assert outcome is Outcome.FAIL
        assert code == "JSONLD_UNDEFINED_TERM"

    def test_unsupported_cryptosuite(self):
        doc = signed_credential()
        doc["proof"][0]["cryptosuite"] = "ecdsa-rdfc-2019"
        report = verify(doc, now=NOW)
        assert report.has("PROOF_UNSUPPORTED_CRYPTOSUITE")

    def test_missing_proof(self):
        doc = signed_credential()
        del doc["proof"]
        assert verify(doc, now=NOW).has("PROOF_MISSING")

    def test_structure_problems_are_listed(self):
        doc = signed_credential()
        doc["@context"] = ["https://example.org/ctx"]
        del doc["credentialSubject"]
        report = verify(doc, now=NOW)
        assert outcome_of(report, "structure") == (Outcome.FAIL, "STRUCTURE_INVALID")


def test_a_did_web_issuer_that_times_out_is_a_failed_check(tmp_path):

    from microdegree.vc.fetch import SafeFetcher
    from tests.vc.test_fetch import send, tls_server

    srv, ctx = tls_server(tmp_path, "localhost")
    try:
        issuer = f"did:web:localhost%3A{srv.port}:issuers:slow"
        srv.routes["/issuers/slow/did.json"] = lambda h, s: (
            s.release.wait(3),
            send(h, 200, b"{}", "application/json"),
        )
        fetcher = SafeFetcher(
            allow_private=True, ssl_context=ctx, timeout=0.3, resolve=lambda h, p: ["127.0.0.1"]
        )
        key = key_from(4)
        signed = proofs.sign(
            sample_credential(issuer, status_list=None),
            key,
            verification_method=f"{issuer}#key-0",
            created=CREATED,
        )
        report = verify(signed, now=NOW, resolver=did.WebResolver(fetcher))
        assert outcome_of(report, "proof") == (Outcome.FAIL, "FETCH_TIMEOUT")
        assert "could not be resolved" in report.errors[0].message
    finally:
        srv.close()
