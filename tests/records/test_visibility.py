"""One sharing model per credential (ADR 0027): "public", "shared by link only", "hidden".

Over HTTP: a hidden credential's every public address answers 404 to a stranger (page, its
signed JSON by content type or ?format=json, verify-by-address, the share link), while the
learner and the issuing institution's staff still see it, and the file the learner downloaded
still verifies, its status list included (a revocation still shows). "Link only" keeps the
share link and closes the public page. The record says who can see each credential.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from microdegree.audit.models import AuditEntry
from microdegree.institutions import services as institutions
from microdegree.issuing.services import revoke
from microdegree.records.models import CredentialPreference, ImportedCredential

from .conftest import award

pytestmark = pytest.mark.django_db

ADA = "ada@example.org"


@pytest.fixture
def held(institution, pathway, sign_in):
    _, (stats, _, _) = pathway
    cred = award(stats, ADA, recipient_name="Ada Lovelace")
    user = sign_in(ADA)
    return user, cred


def _choose(client: Client, cred: Any, visibility: str, **extra: str) -> Any:
    response = client.post(f"/me/credentials/p-{cred.uuid}/preferences",
                           {"visibility": visibility, **extra})
    assert response.status_code == 302, response.content
    return CredentialPreference.objects.get(credential=cred)


def _public_addresses(cred: Any, token: str) -> list[tuple[str, dict[str, str]]]:
    page = f"/credentials/{cred.uuid}"
    return [(page, {}), (page, {"HTTP_ACCEPT": "application/vc+ld+json"}),
            (page, {"HTTP_ACCEPT": "application/ld+json"}), (page + "?format=json", {}),
            (f"/share/{token}", {})]


def _staff(make_user, institution, email: str = "registrar@uni.example") -> Client:
    staff_user = make_user(email)
    owner = institution.members.get(role="owner").user
    institutions.set_member(owner, institution, staff_user, "viewer")
    staff = Client()
    staff.force_login(staff_user)
    return staff


def test_hidden_answers_404_at_every_public_address_but_not_to_holder_and_issuer(
        client, held, make_user, institution, admin_user):
    user, cred = held
    pref = _choose(client, cred, "hidden")
    stranger = Client()
    for path, headers in _public_addresses(cred, pref.share_token):
        response = stranger.get(path, **headers)
        assert response.status_code == 404, path
        assert b"Course stats" not in response.content  # nothing of it leaks in the 404
    assert stranger.head(f"/credentials/{cred.uuid}").status_code == 404
    by_url = stranger.post("/verify", {"url": f"{settings.PUBLIC_URL}/credentials/{cred.uuid}"},
                           HTTP_ACCEPT="application/json")
    assert json.loads(by_url.content)["code"] == "URL_NOT_FOUND"

    # the learner: the page, with the note that others do not see it
    mine = client.get(f"/credentials/{cred.uuid}")
    assert mine.status_code == 200
    assert 'id="hidden-note"' in mine.content.decode()
    # the issuing institution's staff: the same page, and their own credential page
    staff = _staff(make_user, institution)
    assert staff.get(f"/credentials/{cred.uuid}").status_code == 200
    detail = staff.get(f"/institutions/{institution.slug}/credentials/{cred.uuid}/")
    assert detail.status_code == 200
    # staff of another institution are strangers here
    other_owner = make_user("owner@other.example")
    other = institutions.register_institution(other_owner, name="Other College",
                                              country_code="NL", owner=other_owner,
                                              slug="other-college")
    institutions.approve_institution(admin_user, other)
    outsider = Client()
    outsider.force_login(other_owner)
    assert outsider.get(f"/credentials/{cred.uuid}").status_code == 404
    assert outsider.get(f"/credentials/{cred.uuid}?format=json").status_code == 404

    # the learner's own page says it in words
    html = client.get(f"/me/credentials/p-{cred.uuid}/").content.decode()
    assert "Hidden: only you and its issuer" in html
    assert "Staff of Example University, which issued it." in html
    assert "Anyone with its public address" not in html
    assert 'id="share-url"' not in html
    assert 'id="public-url"' not in html
    assert AuditEntry.objects.filter(action="records.preference_set", actor=user).exists()


def test_hidden_credential_file_still_verifies_with_its_status_list(client, held):
    _, cred = held
    _choose(client, cred, "hidden")
    downloaded = client.get(f"/me/credentials/p-{cred.uuid}/credential.json").content
    status_url = json.loads(downloaded)["credentialStatus"]
    status_url = (status_url[0] if isinstance(status_url, list) else status_url)
    list_path = status_url["statusListCredential"].removeprefix(settings.PUBLIC_URL)
    stranger = Client()
    # a verifier holding the file: the status list and the issuer's keys still answer
    assert stranger.get(list_path).status_code == 200
    assert stranger.get(f"/issuers/{cred.institution.slug}/did.json").status_code == 200
    verdict = stranger.post("/verify", {"file": SimpleUploadedFile("c.json", downloaded)},
                            HTTP_ACCEPT="application/json")
    assert verdict.status_code == 200
    assert json.loads(verdict.content)["verified"] is True
    baked = client.get(f"/me/credentials/p-{cred.uuid}/credential.png").content
    verdict = stranger.post("/verify", {"file": SimpleUploadedFile("c.png", baked)},
                            HTTP_ACCEPT="application/json")
    assert json.loads(verdict.content)["verified"] is True
    # revoked while hidden: the verifier learns it from the status list
    revoke(None, cred, "Issued in error")
    verdict = stranger.post("/verify", {"file": SimpleUploadedFile("c.json", downloaded)},
                            HTTP_ACCEPT="application/json")
    assert json.loads(verdict.content)["verified"] is False


def test_link_only_keeps_the_share_link_and_closes_the_public_page(client, held):
    _, cred = held
    pref = _choose(client, cred, "link")
    stranger = Client()
    assert stranger.get(f"/credentials/{cred.uuid}").status_code == 404
    assert stranger.get(f"/credentials/{cred.uuid}?format=json").status_code == 404
    shared = stranger.get(f"/share/{pref.share_token}")
    assert shared.status_code == 200
    html = shared.content.decode()
    # no button to a page that answers 404; no signed document (it would name the learner)
    assert f"/credentials/{cred.uuid}" not in html
    assert 'id="verify-by-file"' in html
    assert "Ada Lovelace" not in html
    mine = client.get(f"/me/credentials/p-{cred.uuid}/").content.decode()
    assert "Only people with your share link" in mine
    assert "Anyone you gave its share link to." in mine
    assert f'id="share-url" class="url">{settings.PUBLIC_URL}/share/{pref.share_token}<' in mine

    # public again: both answer
    _choose(client, cred, "public")
    assert stranger.get(f"/credentials/{cred.uuid}").status_code == 200
    assert stranger.get(f"/share/{pref.share_token}").status_code == 200
    assert "Public: anyone with its address" in client.get(
        f"/me/credentials/p-{cred.uuid}/").content.decode()


def test_without_a_choice_the_record_says_the_page_is_public(client, held):
    _, cred = held
    assert Client().get(f"/credentials/{cred.uuid}").status_code == 200
    html = client.get("/me/").content.decode()
    assert "Public: anyone with its address" in html
    assert "Not shared" not in html  # the old wording that contradicted the public page
    page = client.get(f"/me/credentials/p-{cred.uuid}/").content.decode()
    assert f'id="public-url" class="url">{settings.PUBLIC_URL}/credentials/{cred.uuid}<' in page
    assert 'id="visibility-public" name="visibility" value="public"' in page


def test_a_new_share_link_retires_the_old_one(client, held):
    user, cred = held
    old = _choose(client, cred, "link").share_token
    assert client.post(f"/me/credentials/p-{cred.uuid}/share-link").status_code == 302
    new = CredentialPreference.objects.get(credential=cred).share_token
    assert new != old
    stranger = Client()
    assert stranger.get(f"/share/{old}").status_code == 404
    assert stranger.get(f"/share/{new}").status_code == 200
    entry = AuditEntry.objects.get(action="records.share_link_renewed", actor=user)
    assert old not in json.dumps(entry.after)
    assert new not in json.dumps(entry.after)


def test_nobody_else_changes_or_renews_my_sharing(client, held, sign_in):
    _, cred = held
    pref = _choose(client, cred, "link")
    bob = Client()
    sign_in("bob@example.org", bob)
    assert bob.post(f"/me/credentials/p-{cred.uuid}/preferences",
                    {"visibility": "public"}).status_code == 404
    assert bob.post(f"/me/credentials/p-{cred.uuid}/share-link").status_code == 404
    pref.refresh_from_db()
    assert (pref.visibility, pref.share_token) == ("link", _choose(client, cred, "link")
                                                   .share_token)
    assert Client().get(f"/credentials/{cred.uuid}").status_code == 404


def test_bad_choices_are_refused_with_a_sentence(client, held, institution):
    user, cred = held
    answer = client.post(f"/me/credentials/p-{cred.uuid}/preferences", {"visibility": "everyone"})
    assert answer.status_code == 400
    assert b"Choose who can see it" in answer.content
    imported = ImportedCredential.objects.create(user=user, document="{}", format="json",
                                                 addressed=True)
    answer = client.post(f"/me/credentials/i-{imported.uuid}/preferences",
                         {"visibility": "public"})
    assert answer.status_code == 400
    assert b"has no public page here" in answer.content
    page = client.get(f"/me/credentials/i-{imported.uuid}/").content.decode()
    assert 'value="public"' not in page  # an import offers link only or hidden
    assert "Hidden: only you" in page


@pytest.mark.django_db(transaction=True)
def test_migration_maps_the_old_flags(make_user, institution, pathway):
    _, (stats, viz, ethics) = pathway
    plain, shared, hidden = award(stats, ADA), award(viz, ADA), award(ethics, ADA)
    before = [("records", "0007_importedcredential_addressed")]
    after = [("records", "0008_credential_visibility")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        pref = old.get_model("records", "CredentialPreference")
        imported_model = old.get_model("records", "ImportedCredential")
        ada = make_user("ada@example.org")

        def imp() -> Any:
            return imported_model.objects.create(user_id=ada.pk, document="{}", format="json")

        rows = {
            # a platform credential's page answered everyone unless hidden: "Not shared" was
            # public in fact
            "not shared": pref.objects.create(user_id=ada.pk, credential_id=plain.pk,
                                              share_token="d"),
            "shared": pref.objects.create(user_id=ada.pk, credential_id=shared.pk,
                                          share_enabled=True, share_token="e"),
            "hidden": pref.objects.create(user_id=ada.pk, credential_id=hidden.pk,
                                          hidden=True, share_token="f"),
            "import shared": pref.objects.create(user_id=ada.pk, imported_id=imp().pk,
                                                 share_enabled=True, share_token="a"),
            "import private": pref.objects.create(user_id=ada.pk, imported_id=imp().pk,
                                                  share_token="b"),
            "import hidden": pref.objects.create(user_id=ada.pk, imported_id=imp().pk,
                                                 hidden=True, share_enabled=True,
                                                 share_token="c"),
        }
        executor.loader.build_graph()
        executor.migrate(after)
        new = executor.loader.project_state(after).apps.get_model("records",
                                                                  "CredentialPreference")
        got = {name: new.objects.get(pk=row.pk).visibility for name, row in rows.items()}
        assert got == {"not shared": "public", "shared": "public", "hidden": "hidden",
                       "import shared": "link", "import private": "hidden",
                       "import hidden": "hidden"}
        # a share link that was off does not come back to life: its token is new
        tokens = {name: new.objects.get(pk=row.pk).share_token for name, row in rows.items()}
        assert tokens["shared"] == "e"
        assert tokens["import shared"] == "a"
        assert tokens["not shared"] != "d"
        assert tokens["import private"] != "b"
        assert tokens["hidden"] != "f"
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
