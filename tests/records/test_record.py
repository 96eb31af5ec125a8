"""The record page: grouping by competency, totals by ECTS and level, states, progress toward a
partly completed microdegree, imports (verified first), isolation between learners."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from microdegree.issuing import services as issuing
from microdegree.issuing.models import IssuedCredential
from microdegree.records import record
from microdegree.records.models import ImportedCredential
from microdegree.vc import did, proofs
from microdegree.vc.keys import Ed25519Key
from tests.samples import sample_credential

from .conftest import award

pytestmark = pytest.mark.django_db

ADA = "ada@example.org"


def key_credential(n: int = 7, *, recipient: str | None = None, **overrides):
    """A did:key credential; with `recipient`, naming that address by a salted hash (only
    then is an import "addressed" to the learner: issue 12)."""
    from microdegree.vc.builders.identity import hash_identity

    key = Ed25519Key.from_seed(bytes([n]) * 32)
    issuer = did.did_key(key)
    doc = sample_credential(issuer, status_list=None)
    if recipient:
        doc["credentialSubject"]["identifier"] = [hash_identity(recipient)]
    doc.update(overrides)
    return proofs.sign(doc, key, verification_method=f"{issuer}#{key.public_multibase}")


def test_grouped_by_competency_with_totals_and_states(client, institution, pathway, sign_in):
    _, (stats, viz, ethics) = pathway
    revoked = award(ethics, ADA)
    issuing.revoke(None, revoked, "Mistake")
    award(stats, ADA, credits_earned=5)
    user = sign_in(ADA)
    items = record.items(user)
    assert {i.state for i in items} == {"valid", "revoked"}
    groups = {g.name: [i.summary.name for i in g.items] for g in record.grouped(items)}
    assert groups == {"Data analysis": ["Course stats"], "Research ethics": ["Course ethics"]}
    totals = record.totals(items)
    assert totals.ects == 5  # the revoked one does not count
    assert totals.by_level == {"EQF 6": 5}
    award(viz, ADA)  # completes the microdegree (awarded automatically)
    items = record.items(user)
    assert any(i.is_microdegree for i in items)
    totals = record.totals(items)
    assert totals.ects == 10  # the microdegree is not added on top of its parts
    assert totals.by_level == {"EQF 6": 10}
    page = client.get("/me/?view=competencies")  # the second tab
    assert page.status_code == 200
    html = page.content.decode()
    assert "Data analysis" in html
    assert "Research ethics" in html
    assert "Revoked" in html
    assert "Valid" in html
    assert "10 ECTS" in html


def test_expired_and_suspended_states(institution, pathway, make_user):
    from microdegree.records.models import LearnerEmail

    _, (stats, viz, _) = pathway
    expired = award(stats, ADA)
    IssuedCredential.objects.filter(pk=expired.pk).update(
        valid_until=timezone.now() - timedelta(days=1))
    suspended = award(viz, ADA)
    issuing.suspend(None, suspended, "Check")
    user = make_user("x@example.org")
    LearnerEmail.objects.create(user=user, email=ADA, verified_at=timezone.now())
    states = {i.obj.pk: i.state for i in record.items(user)}
    assert states == {expired.pk: "expired", suspended.pk: "suspended"}


def test_progress_tree_for_a_partly_completed_microdegree(client, institution, pathway,
                                                          sign_in):
    degree, (_stats, _viz, ethics) = pathway
    award(ethics, ADA)
    user = sign_in(ADA)
    [progress] = record.progress(user)
    assert progress.version.pk == degree.pk
    assert not progress.complete
    assert progress.missing == ["Course stats"]
    assert progress.credits_held == 5  # ethics: credits_available 5 (no credits earned given)
    assert progress.credits_needed == 5  # stats
    tree = progress.tree
    assert (tree.kind, tree.done, tree.value, tree.maximum) == ("all_of", False, 1, 2)
    stats_node, group = tree.children
    assert (stats_node.text, stats_node.done) == ("Course stats", False)
    assert (group.kind, group.done, group.progress_label) == ("at_least", True, "1 of 1 done")
    assert [(c.text, c.done) for c in group.children] == [("Course viz", False),
                                                         ("Course ethics", True)]
    html = client.get("/me/").content.decode()
    assert "Progress toward microdegrees" in html
    assert "Data Science Microdegree" in html
    assert '<progress value="1" max="2"' in html
    assert "Missing:</span>" in html
    assert "Done:</span>" in html
    assert "5 credits still needed" in html


def test_no_progress_for_pathways_not_started(institution, pathway, sign_in):
    user = sign_in(ADA)
    assert record.progress(user) == []


def test_import_a_verified_credential_verbatim(client, sign_in):
    sign_in(ADA)
    text = json.dumps(key_credential(), indent=1)
    response = client.post("/me/import", {"credential": text})
    assert response.status_code == 302
    imported = ImportedCredential.objects.get()
    assert imported.document == text.strip()
    assert imported.format == "json"
    page = client.get("/me/").content.decode()
    assert "(imported)" in page
    download = client.get(f"/me/credentials/i-{imported.uuid}/credential.json")
    assert download.content.decode() == text.strip()
    # the same again: refused
    assert client.post("/me/import", {"credential": text}).status_code == 409


def test_import_refuses_a_tampered_credential_with_reasons(client, sign_in):
    sign_in(ADA)
    doc = key_credential()
    doc["name"] = "Something else"
    response = client.post("/me/import", {"credential": json.dumps(doc)})
    assert response.status_code == 400
    assert b"did not verify" in response.content
    assert b"<li>" in response.content  # the verifier's reasons
    assert not ImportedCredential.objects.exists()
    assert client.post("/me/import", {"credential": "not json"}).status_code == 400


def test_import_a_platform_credential_by_url_and_file(client, institution, pathway, sign_in):
    from django.core.files.uploadedfile import SimpleUploadedFile

    _, (stats, _, _) = pathway
    other = award(stats, "someone@example.org")
    sign_in(ADA)
    from django.conf import settings

    url = f"{settings.PUBLIC_URL}/credentials/{other.uuid}"
    assert client.post("/me/import", {"url": url}).status_code == 302
    imported = ImportedCredential.objects.get()
    assert imported.document == other.document
    assert imported.source_url == url
    upload = SimpleUploadedFile("c.json", json.dumps(key_credential(9)).encode())
    assert client.post("/me/import", {"file": upload}).status_code == 302
    assert ImportedCredential.objects.count() == 2


def test_learners_see_only_their_own_record(client, institution, pathway, sign_in):
    _, (stats, _, _) = pathway
    ada_cred = award(stats, ADA)
    sign_in(ADA)
    client.post("/me/import", {"credential": json.dumps(key_credential())})
    ada_import = ImportedCredential.objects.get()
    client.logout()
    sign_in("bob@example.org")
    assert ada_cred.achievement_version.name.encode() not in client.get("/me/").content
    for key in (f"p-{ada_cred.uuid}", f"i-{ada_import.uuid}",
                "p-00000000-0000-0000-0000-000000000000", "i-nonsense", "x-1"):
        for path in ("/", "/credential.json", "/credential.png"):
            response = client.get(f"/me/credentials/{key}{path}")
            assert response.status_code == 404, (key, path)
        assert client.post(f"/me/credentials/{key}/preferences",
                           {"visibility": "link"}).status_code == 404
    assert client.post(f"/me/credentials/i-{ada_import.uuid}/remove").status_code == 404
    assert ImportedCredential.objects.filter(pk=ada_import.pk).exists()
    # a CLR cannot name someone else's credential
    response = client.post("/me/clr", {"credential": [f"p-{ada_cred.uuid}"]})
    assert response.status_code == 400


def test_the_record_needs_a_signed_in_learner(client):
    response = client.get("/me/")
    assert response.status_code == 302
    assert response["Location"].startswith("/me/login")


def test_import_a_baked_png_and_a_vc_jwt(client, institution, pathway, sign_in):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from microdegree.records import badges
    from tests.verification.helpers import key_from, vc_jwt

    _, (stats, _, _) = pathway
    other = award(stats, "someone@example.org")
    sign_in(ADA)
    png = SimpleUploadedFile("badge.png", badges.baked_png(other), content_type="image/png")
    assert client.post("/me/import", {"file": png}).status_code == 302
    baked = ImportedCredential.objects.get()
    assert (baked.format, baked.document) == ("png", other.document)
    token = vc_jwt(key_credential(11), key_from(11))
    assert client.post("/me/import", {"credential": token}).status_code == 302
    jwt = ImportedCredential.objects.get(format="jwt")
    assert jwt.document == token
    assert jwt.decoded["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    download = client.get(f"/me/credentials/i-{jwt.uuid}/credential.json")
    assert download["Content-Type"] == "application/vc+jwt"
    assert download.content.decode() == token
    assert f"i-{jwt.uuid}" not in client.get("/me/clr").content.decode()


def test_an_imported_credential_is_checked_again_on_request(client, institution, pathway,
                                                           sign_in):
    _, (stats, _, _) = pathway
    other = award(stats, "someone@example.org")
    sign_in(ADA)
    client.post("/me/import", {"credential": other.document})
    imported = ImportedCredential.objects.get()
    assert imported.status == "valid"
    assert imported.checked_at is not None
    key = f"i-{imported.uuid}"
    issuing.revoke(None, other, "Mistake")
    assert client.post(f"/me/credentials/{key}/check").status_code == 302
    imported.refresh_from_db()
    assert imported.status == "revoked"
    assert "Revoked" in client.get("/me/").content.decode()
    # platform credentials are always live: nothing to check again
    mine = award(stats, ADA)
    assert client.post(f"/me/credentials/p-{mine.uuid}/check").status_code == 409
