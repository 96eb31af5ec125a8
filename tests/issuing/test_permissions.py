"""Who sees which institution, over HTTP through the real pages and API.

- A user on the staff of two institutions picks one on the dashboard and sees that one only
  (pages, credential lists, bulk jobs, API), with the role they hold THERE.
- A platform operator (superuser) sees every institution.
- Anyone else gets the same 404 as for a typo (a member whose role is too low: 403).
"""

from __future__ import annotations

import pytest

from microdegree.bulk import services as bulk
from microdegree.institutions import services as inst_services
from microdegree.issuing import services

from .conftest import make_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(institution, other_institution, make_user):
    """A user who is issuer at Example University and viewer at Other College, one credential
    and one bulk job at each, and a third institution the user has nothing to do with."""
    user = make_user("both@staff.example")
    inst_services.set_member(None, institution, user, "issuer")
    inst_services.set_member(None, other_institution, user, "viewer")
    a = make_course(institution, "course-a")
    b = make_course(other_institution, "course-b")
    cred_a = services.issue_credential(None, a, recipient_email="alice@a.example",
                                       send_email=False)
    cred_b = services.issue_credential(None, b, recipient_email="bob@b.example",
                                       send_email=False)
    job_a = bulk.prepare_job(None, a, b"email\nx1@a.example\n").job
    job_b = bulk.prepare_job(None, b, b"email\ny1@b.example\n").job
    third_owner = make_user("owner@third.example")
    third = inst_services.register_institution(third_owner, name="Third School",
                                               country_code="FR", owner=third_owner,
                                               slug="third-school")
    return {"user": user, "a": institution, "b": other_institution, "third": third,
            "cred_a": cred_a, "cred_b": cred_b, "job_a": job_a, "job_b": job_b}


def _text(response) -> str:
    return response.content.decode()


def test_staff_of_two_switches_and_sees_only_the_chosen_one(client, two):
    client.force_login(two["user"])
    dashboard = _text(client.get("/dashboard/"))
    assert "Example University" in dashboard
    assert "Other College" in dashboard
    assert "Third School" not in dashboard

    for chosen, mine, theirs in (("a", "cred_a", "cred_b"), ("b", "cred_b", "cred_a")):
        slug = two[chosen].slug
        overview = client.get(f"/institutions/{slug}/")
        assert overview.status_code == 200
        listing = client.get(f"/institutions/{slug}/credentials/")
        assert listing.status_code == 200
        assert two[mine].recipient_email in _text(listing)
        assert two[theirs].recipient_email not in _text(listing)
        assert two[theirs].recipient_email not in _text(overview)
        # the other institution's credential and job are not reachable through this one
        other_cred = two[theirs]
        assert client.get(f"/institutions/{slug}/credentials/{other_cred.uuid}/"
                          ).status_code == 404
        other_job = two["job_b" if chosen == "a" else "job_a"]
        assert client.get(f"/institutions/{slug}/bulk/{other_job.uuid}/").status_code == 404
        api = client.get(f"/api/v1/institutions/{slug}/credentials").json()
        assert [c["id"] for c in api["items"]] == [str(two[mine].uuid)]

    # the role is the one held at the chosen institution: issuer at A, viewer at B
    assert client.get(f"/institutions/{two['a'].slug}/credentials/award/course-a/"
                      ).status_code == 200
    assert client.get(f"/institutions/{two['b'].slug}/credentials/award/course-b/"
                      ).status_code == 403
    assert client.post(f"/institutions/{two['b'].slug}/credentials/{two['cred_b'].uuid}/revoke/",
                       {"reason": "no"}).status_code == 403
    two["cred_b"].refresh_from_db()
    assert two["cred_b"].state == "active"


def test_a_platform_operator_sees_every_institution(client, two, admin_user):
    client.force_login(admin_user)
    dashboard = _text(client.get("/dashboard/"))
    for name in ("Example University", "Other College", "Third School"):
        assert name in dashboard
    for inst, cred in ((two["a"], two["cred_a"]), (two["b"], two["cred_b"])):
        listing = client.get(f"/institutions/{inst.slug}/credentials/")
        assert listing.status_code == 200
        assert cred.recipient_email in _text(listing)
        assert client.get(f"/institutions/{inst.slug}/credentials/{cred.uuid}/"
                          ).status_code == 200
    assert client.get(f"/institutions/{two['third'].slug}/").status_code == 200


def test_a_non_member_gets_404_everywhere(client, two, make_user):
    client.force_login(make_user("stranger@example.org"))
    assert "Example University" not in _text(client.get("/dashboard/"))
    a, cred, job = two["a"], two["cred_a"], two["job_a"]
    for url in (f"/institutions/{a.slug}/", f"/institutions/{a.slug}/credentials/",
                f"/institutions/{a.slug}/credentials/{cred.uuid}/",
                f"/institutions/{a.slug}/credentials/award/course-a/",
                f"/institutions/{a.slug}/bulk/", f"/institutions/{a.slug}/bulk/{job.uuid}/",
                f"/institutions/{a.slug}/achievements/",
                "/institutions/no-such-place/"):
        assert client.get(url).status_code == 404, url
    api = client.get(f"/api/v1/institutions/{a.slug}/credentials")
    assert api.status_code == 404
    assert api.json()["code"]
    assert client.post(f"/institutions/{a.slug}/credentials/{cred.uuid}/revoke/",
                       {"reason": "x"}).status_code == 404
    cred.refresh_from_db()
    assert cred.state == "active"


def test_anonymous_is_sent_to_sign_in(client, two):
    response = client.get(f"/institutions/{two['a'].slug}/credentials/")
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_admin_site_staff_without_superuser_see_no_institution_data(client, two, make_user):
    """`is_staff` is Django's admin-site flag, not a platform operator: no data through it."""
    client.force_login(make_user("helpdesk@platform.example", is_staff=True))
    a, cred = two["a"], two["cred_a"]
    for url in (f"/institutions/{a.slug}/credentials/",
                f"/institutions/{a.slug}/credentials/{cred.uuid}/",
                f"/institutions/{a.slug}/bulk/"):
        assert client.get(url).status_code == 404, url
