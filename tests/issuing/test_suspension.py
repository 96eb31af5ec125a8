"""Suspension that outside verifiers can see (docs/adr/0006-suspension-status-entry.md).

- By default a credential carries its revocation entry only (OB 3.0: one `credentialStatus`,
  both schema flavours) and names the OB schema; suspension is kept in step in the
  institution's suspension list and known to this platform.
- `MICRODEGREE_ISSUING_EMBED_SUSPENSION=1` (environment) or the Django setting of the same name
  adds the suspension entry (an array of two, VCDM 2.0 and Bitstring Status List conformant) and
  names no schema: then any Bitstring Status List verifier reads a suspension.
- Digital Bazaar's verifier (`@digitalbazaar/vc`) accepts both forms (Node, when installed).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from microdegree.issuing import services
from microdegree.vc.schema import OB_ACHIEVEMENT_CREDENTIAL

pytestmark = pytest.mark.django_db

NODE = shutil.which("node")
NODE_DIR = Path(__file__).resolve().parents[1] / "node"
HAVE_NODE = NODE is not None and (NODE_DIR / "node_modules" / "@digitalbazaar" / "vc").is_dir()


def _codes(report) -> set[str]:
    return {c.code for c in report.checks}


@pytest.fixture
def embedded(monkeypatch, settings):
    """Embedding switched on the way an operator does it: the environment variable."""
    if hasattr(settings, "MICRODEGREE_ISSUING_EMBED_SUSPENSION"):
        del settings.MICRODEGREE_ISSUING_EMBED_SUSPENSION
    monkeypatch.setenv("MICRODEGREE_ISSUING_EMBED_SUSPENSION", "1")


def test_default_one_revocation_entry_and_the_ob_schema(institution, course, check):
    assert not services.embed_suspension()
    cred = services.issue_credential(None, course, recipient_email="a@example.org",
                                     send_email=False)
    doc = json.loads(cred.document)
    assert doc["credentialStatus"]["statusPurpose"] == "revocation"  # one object
    assert [s["id"] for s in doc["credentialSchema"]] == [OB_ACHIEVEMENT_CREDENTIAL]
    report = check(cred.document, institution)
    assert report.verified
    assert "SCHEMA_VALID" in _codes(report)  # the OB schema was checked, and passed


def test_the_environment_variable_embeds_suspension_and_verifiers_read_it(
        institution, course, check, embedded):
    assert services.embed_suspension()
    cred = services.issue_credential(None, course, recipient_email="b@example.org",
                                     send_email=False)
    doc = json.loads(cred.document)
    assert [e["statusPurpose"] for e in doc["credentialStatus"]] == ["revocation", "suspension"]
    assert doc["credentialStatus"][1]["statusListCredential"] == cred.suspension_list.url
    assert doc["credentialStatus"][1]["statusListIndex"] == str(cred.suspension_index)
    assert "credentialSchema" not in doc
    assert check(cred.document, institution).verified
    services.suspend(None, cred, "Exam under review")
    suspended = check(cred.document, institution)
    assert not suspended.verified
    assert "STATUS_SUSPENDED" in _codes(suspended)
    services.unsuspend(None, cred, "Cleared")
    assert check(cred.document, institution).verified


def test_bulk_issued_credentials_embed_it_too(institution, course, check, embedded):
    creds = services.issue_many(None, course, [{"recipient_email": f"p{n}@example.org"}
                                               for n in range(4)], send_email=False)
    for cred in creds:
        doc = json.loads(cred.document)
        assert len(doc["credentialStatus"]) == 2
        assert check(cred.document, institution).verified


@pytest.mark.skipif(not HAVE_NODE, reason="needs Node and tests/node/node_modules")
def test_digital_bazaar_verifies_both_forms(institution, course, client, monkeypatch):
    one = services.issue_credential(None, course, recipient_email="c@example.org",
                                    send_email=False)
    monkeypatch.setenv("MICRODEGREE_ISSUING_EMBED_SUSPENSION", "1")
    two = services.issue_credential(None, course, recipient_email="d@example.org",
                                    send_email=False)
    did_doc = json.loads(client.get(f"/issuers/{institution.slug}/did.json").content)
    items = [{"credential": json.loads(c.document), "documents": {institution.did: did_doc}}
             for c in (one, two)]
    tampered = json.loads(two.document)
    tampered["credentialStatus"][1]["statusListIndex"] = "1"  # the entries are signed
    items.append({"credential": tampered, "documents": {institution.did: did_doc}})
    assert NODE is not None
    proc = subprocess.run([NODE, str(NODE_DIR / "verify.mjs")], input=json.dumps(items),
                          capture_output=True, text=True, timeout=300, cwd=NODE_DIR,
                          check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads(proc.stdout)
    assert results[0]["verified"], results[0]["errors"]
    assert results[1]["verified"], results[1]["errors"]
    assert not results[2]["verified"]


def test_the_credential_page_says_whether_outside_verifiers_see_a_suspension(
        client, institution, course, issuer, monkeypatch):
    plain = services.issue_credential(None, course, recipient_email="e@example.org",
                                      send_email=False)
    monkeypatch.setenv("MICRODEGREE_ISSUING_EMBED_SUSPENSION", "1")
    named = services.issue_credential(None, course, recipient_email="f@example.org",
                                      send_email=False)
    client.force_login(issuer)
    base = f"/institutions/{institution.slug}/credentials"
    page = client.get(f"{base}/{plain.uuid}/").content.decode()
    assert "other verifiers still see it as not revoked" in page
    page = client.get(f"{base}/{named.uuid}/").content.decode()
    assert "any verifier that reads status lists will see a suspension" in page
