"""Hide and share (404 when off), LinkedIn parameters, downloads (JSON verbatim, baked PNG/SVG
that verify again), the CLR export and the platform DID, data export and account deletion."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings

from microdegree.audit.models import AuditEntry
from microdegree.issuing.models import IssuedCredential
from microdegree.records.models import (
    CredentialPreference,
    ImportedCredential,
    LearnerEmail,
    PlatformKey,
)
from microdegree.records.platform import platform_did
from microdegree.vc import did as vc_did
from microdegree.vc.verify import verify
from microdegree.verification import extract as vextract
from microdegree.verification import services as vservices

from .conftest import award
from .test_record import key_credential

pytestmark = pytest.mark.django_db

ADA = "ada@example.org"


@pytest.fixture
def held(institution, pathway, sign_in):
    """Ada, signed in, holding stats (valid 24 months, named) and viz."""
    _, (stats, viz, _) = pathway
    one = award(stats, ADA, recipient_name="Ada Lovelace", credits_earned=5)
    two = award(viz, ADA)
    user = sign_in(ADA)
    return user, one, two


def _share_token(user, cred):
    return CredentialPreference.objects.get(user=user, credential=cred).share_token


def test_share_link_on_and_off_and_hiding(client, held):
    user, cred, _ = held
    key = f"p-{cred.uuid}"
    assert client.post(f"/me/credentials/{key}/preferences",
                       {"visibility": "link"}).status_code == 302
    token = _share_token(user, cred)
    anonymous = client.__class__()
    page = anonymous.get(f"/share/{token}")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<meta property="og:title" content="Course stats">' in html
    assert f'<meta property="og:url" content="{settings.PUBLIC_URL}/share/{token}">' in html
    assert "Ada Lovelace" not in html  # the name only when the learner says so
    client.post(f"/me/credentials/{key}/preferences", {"visibility": "link", "show_name": "on"})
    assert "Ada Lovelace" in anonymous.get(f"/share/{token}").content.decode()
    # hidden: no public page, the credential stays valid
    client.post(f"/me/credentials/{key}/preferences", {"visibility": "hidden"})
    assert anonymous.get(f"/share/{token}").status_code == 404
    cred.refresh_from_db()
    assert cred.state == IssuedCredential.State.ACTIVE
    assert vservices.verify_for_people(cred.document).verified
    # shared again: the same link works
    client.post(f"/me/credentials/{key}/preferences", {"visibility": "public"})
    assert anonymous.get(f"/share/{token}").status_code == 200
    assert anonymous.get("/share/unknown-token").status_code == 404
    assert AuditEntry.objects.filter(action="records.preference_set", actor=user).count() == 4


def test_linkedin_link_carries_the_credential(client, held):
    user, cred, _ = held
    key = f"p-{cred.uuid}"
    client.post(f"/me/credentials/{key}/preferences", {"visibility": "link"})
    html = client.get(f"/me/credentials/{key}/").content.decode()
    start = html.index("https://www.linkedin.com/profile/add?")
    url = html[start:html.index('"', start)].replace("&amp;", "&")
    params = {k: v[0] for k, v in parse_qs(urlsplit(url).query,
                                          keep_blank_values=True).items()}
    doc = json.loads(cred.document)
    issued = cred.issued_at
    assert params == {
        "startTask": "CERTIFICATION_NAME",
        "name": "Course stats",
        "organizationName": "Example University",
        "issueYear": str(issued.year),
        "issueMonth": str(issued.month),
        "expirationYear": "",
        "expirationMonth": "",
        "certUrl": f"{settings.PUBLIC_URL}/share/{_share_token(user, cred)}",
        "certId": doc["id"],
    }


def test_linkedin_expiry_and_public_page_without_share(client, institution, sign_in):
    from .conftest import make_course

    course = make_course(institution, "expiring", validity_months=24)
    cred = award(course, ADA)
    sign_in(ADA)
    html = client.get(f"/me/credentials/p-{cred.uuid}/").content.decode()
    start = html.index("https://www.linkedin.com/profile/add?")
    params = parse_qs(urlsplit(html[start:html.index('"', start)].replace("&amp;", "&")).query)
    assert params["expirationYear"] == [str(cred.valid_until.year)]
    assert params["expirationMonth"] == [str(cred.valid_until.month)]
    assert params["certUrl"] == [f"{settings.PUBLIC_URL}/credentials/{cred.uuid}"]


def test_downloads_json_verbatim_and_baked_images_verify_again(client, held):
    _, cred, _ = held
    key = f"p-{cred.uuid}"
    response = client.get(f"/me/credentials/{key}/credential.json")
    assert response["Content-Disposition"] == f'attachment; filename="credential-{cred.uuid}.json"'
    assert response.content.decode() == cred.document
    png = client.get(f"/me/credentials/{key}/credential.png")
    assert png["Content-Type"] == "image/png"
    assert "attachment" in png["Content-Disposition"]
    assert vextract.png_credential(png.content) == cred.document
    svg = client.get(f"/me/credentials/{key}/credential.svg")
    assert svg["Content-Type"] == "image/svg+xml"
    assert vextract.svg_credential(svg.content.decode()) == cred.document
    for body in (response.content, png.content, svg.content):
        assert vservices.verify_upload(body).report.verified
    assert client.get(f"/me/credentials/{key}/credential.docx").status_code == 404


def test_clr_export_verifies_envelope_and_nested(client, institution, pathway, sign_in):
    degree, (stats, viz, ethics) = pathway
    part1 = award(stats, ADA)
    part2 = award(viz, ADA)  # completes the microdegree
    microdegree = IssuedCredential.objects.get(achievement_version=degree)
    third = award(ethics, ADA)
    sign_in(ADA)
    client.post("/me/import", {"credential": json.dumps(key_credential(recipient=ADA))})
    imported = ImportedCredential.objects.get()
    keys = [f"p-{c.uuid}" for c in (part1, part2, microdegree, third)] + [f"i-{imported.uuid}"]
    response = client.post("/me/clr", {"credential": keys})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="clr.json"'
    clr = json.loads(response.content)
    assert clr["type"] == ["VerifiableCredential", "ClrCredential"]
    assert clr["issuer"]["id"] == platform_did() == f"did:web:{_host()}:platform"
    subject = clr["credentialSubject"]
    nested_ids = [c["id"] for c in subject["verifiableCredential"]]
    assert set(nested_ids) == {part1.credential_id, part2.credential_id,
                               microdegree.credential_id, third.credential_id,
                               imported.credential_id}
    by_id = {c["id"]: c for c in subject["verifiableCredential"]}
    assert by_id[part1.credential_id] == json.loads(part1.document)  # verbatim
    degree_achievement = json.loads(microdegree.document)["credentialSubject"]["achievement"]["id"]
    links = {(a["sourceId"], a["targetId"], a["associationType"]) for a in subject["association"]}
    for part in (part1, part2, third):
        source = json.loads(part.document)["credentialSubject"]["achievement"]["id"]
        assert (source, degree_achievement, "isPartOf") in links

    served = json.loads(client.get("/platform/did.json").content)
    assert served["id"] == platform_did()
    institution_doc = json.loads(client.get(f"/issuers/{institution.slug}/did.json").content)
    resolver = vc_did.ChainResolver(
        vc_did.StaticResolver({platform_did(): served, institution.did: institution_doc}),
        vc_did.KeyResolver(),
    )
    report = verify(clr, resolver=resolver)
    assert report.verified, [c.to_json() for c in report.errors]
    assert len(report.nested) == 5
    assert all(r.verified for r in report.nested)
    # tampering with a nested credential breaks the envelope and that credential
    clr["credentialSubject"]["verifiableCredential"][0]["name"] = "Forged"
    assert not verify(clr, resolver=resolver).verified
    # the key is sealed, like institution keys
    key = PlatformKey.objects.get()
    assert key.public_multibase in json.dumps(served)
    assert b"z" + key.public_multibase.encode() not in bytes(key.sealed_secret)


def test_clr_of_a_started_microdegree_names_it_as_an_achievement(client, institution,
                                                                 pathway, sign_in):
    degree, (stats, _, _) = pathway
    cred = award(stats, ADA)
    sign_in(ADA)
    clr = json.loads(client.post("/me/clr", {"credential": [f"p-{cred.uuid}"]}).content)
    subject = clr["credentialSubject"]
    assert [a["id"] for a in subject["achievement"]] == [degree.achievement_id]
    source = json.loads(cred.document)["credentialSubject"]["achievement"]["id"]
    assert subject["association"] == [{"type": "Association", "associationType": "isPartOf",
                                       "sourceId": source, "targetId": degree.achievement_id}]
    served = json.loads(client.get("/platform/did.json").content)
    inst_doc = json.loads(client.get(f"/issuers/{institution.slug}/did.json").content)
    resolver = vc_did.StaticResolver({platform_did(): served, institution.did: inst_doc})
    assert verify(clr, resolver=resolver).verified


def _host():
    from microdegree.institutions.models import did_web_host

    return did_web_host()


def test_data_export(client, held):
    _user, cred, other = held
    client.post(f"/me/credentials/p-{cred.uuid}/preferences", {"visibility": "link"})
    response = client.get("/me/export")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["emails"][0]["email"] == ADA
    documents = {c["id"]: c for c in data["credentials"]}
    assert documents[cred.credential_id]["document"] == cred.document
    assert documents[cred.credential_id]["preferences"]["visibility"] == "link"
    assert documents[cred.credential_id]["visibility"] == "link"
    assert documents[other.credential_id]["visibility"] == "public"  # the default, no choice
    assert documents[cred.credential_id]["shareUrl"].startswith(f"{settings.PUBLIC_URL}/share/")
    assert other.credential_id in documents
    assert data["did"] is None
    assert data["reissueRequests"] == []


def test_account_deletion_keeps_issued_credentials_valid(client, held):
    user, cred, _ = held
    client.post(f"/me/credentials/p-{cred.uuid}/preferences", {"visibility": "link"})
    token = _share_token(user, cred)
    client.post("/me/import", {"credential": json.dumps(key_credential())})
    assert client.post("/me/delete", {"confirm": "nope"}).status_code == 400
    response = client.post("/me/delete", {"confirm": "DELETE"})
    assert response.status_code == 200
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(pk=user.pk).exists()
    assert not LearnerEmail.objects.exists()
    assert not ImportedCredential.objects.exists()
    assert not CredentialPreference.objects.exists()
    assert client.get(f"/share/{token}").status_code == 404
    assert client.get("/me/").status_code == 302  # signed out
    cred.refresh_from_db()
    assert cred.state == IssuedCredential.State.ACTIVE
    assert vservices.verify_for_people(cred.document).verified
    entry = AuditEntry.objects.get(action="records.account_deleted")
    assert entry.object_id == str(user.pk)
    assert entry.after == {"emails": 1, "imports": 1, "preferences": 1}
    # what the learner did stays in the log, without their address
    mine = AuditEntry.objects.filter(action__startswith="records.").exclude(
        action="records.login_link_requested")
    assert mine.count() > 3
    assert not any(ADA in e.actor_label for e in mine)
    # the address can start again from nothing
    assert client.post("/me/login", {"email": ADA}).status_code == 200
