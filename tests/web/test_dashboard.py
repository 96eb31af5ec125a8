"""The dashboard and an institution's overview through the real views."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

pytestmark = pytest.mark.django_db


def _issue(course, n: int, *, email: str = "learner{}@example.org"):
    from microdegree.issuing import services as issuing

    return [issuing.issue_credential(None, course, recipient_email=email.format(i),
                                     send_email=False) for i in range(n)]


def test_anonymous_is_sent_to_sign_in(client):
    for url in ("/dashboard/", "/institutions/example-uni/", "/institutions/register"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_member_sees_own_institution_only(client, institution, owner, make_user, admin_user):
    from microdegree.institutions import services

    other_owner = make_user("owner@other.example")
    other = services.register_institution(other_owner, name="Other College",
                                          country_code="DE", owner=other_owner)
    services.approve_institution(admin_user, other)
    client.force_login(owner)
    page = client.get("/dashboard/").content.decode()
    assert "Example University" in page
    assert "Other College" not in page
    assert "waiting for approval" not in page  # no approval list for a non-staff member
    assert client.get("/institutions/example-uni/").status_code == 200
    # another tenant's page is the same 404 as a missing one
    assert client.get(f"/institutions/{other.slug}/").status_code == 404
    assert client.get("/institutions/no-such-place/").status_code == 404


def test_viewer_role_is_enough(client, institution, make_user):
    from microdegree.institutions import services

    viewer = make_user("viewer@uni.example")
    services.set_member(None, institution, viewer, "viewer")
    client.force_login(viewer)
    page = client.get("/institutions/example-uni/").content.decode()
    assert "Your role: viewer" in page


def test_counts_chart_and_recent_awards(client, institution, owner, course):
    from microdegree.issuing import services as issuing

    creds = _issue(course, 5)
    issuing.revoke(None, creds[0], "Issued by mistake.")
    issuing.suspend(None, creds[1], "Under review.")
    client.force_login(owner)
    page = client.get("/institutions/example-uni/").content.decode()
    assert re.search(r'id="count-issued">5<', page)
    assert re.search(r'id="count-revoked">1<', page)
    assert re.search(r'id="count-suspended">1<', page)
    assert re.search(r'id="count-active">3<', page)
    # the chart: accessible name and description, one bar per week, this week's bar is 5
    assert 'role="img" aria-labelledby="chart-title chart-desc"' in page
    assert '<title id="chart-title">Credentials issued per week, last 12 weeks</title>' in page
    bars = re.findall(r'data-count="(\d+)"', page)
    assert len(bars) == 12
    assert bars[-1] == "5"
    assert set(bars[:-1]) == {"0"}
    # the data table fallback says the same
    assert re.search(r"<tr><th scope=\"row\">[^<]+</th><td>5</td></tr>", page)
    # recent awards link to their detail pages
    for cred in creds:
        assert f"/institutions/example-uni/credentials/{cred.uuid}/" in page
    for link in ("/institutions/example-uni/achievements/", "/institutions/example-uni/bulk/",
                 "/institutions/example-uni/credentials/", "/issuers/example-uni/did.json",
                 "/institutions/example-uni/api-tokens/"):
        assert f'href="{link}"' in page


def test_chart_by_month_counts_older_credentials(institution, course):
    from microdegree.issuing.models import IssuedCredential
    from microdegree.web.chart import issued_chart

    creds = _issue(course, 3)
    # two of them issued about two months ago (a read-only bookkeeping field, moved for the test)
    old = datetime.now(UTC) - timedelta(days=62)
    IssuedCredential.objects.filter(pk__in=[creds[0].pk, creds[1].pk]).update(issued_at=old)
    chart = issued_chart(institution, "month")
    counts = [bar.count for bar in chart.bars]
    assert len(counts) == 12
    assert sum(counts) == 3
    assert counts[-1] == 1
    assert 2 in counts[:-1]
    assert chart.max_count == 2
    tall = max(chart.bars, key=lambda b: b.height)
    assert tall.count == 2
    assert tall.y + tall.height == chart.baseline
    assert "busiest month" in chart.description


def test_microdegree_completions_and_pending(client, institution, owner, make_user):
    from microdegree.catalog import services as catalog
    from microdegree.institutions import services as inst_services
    from microdegree.issuing import services as issuing

    courses = [catalog.create_definition(None, institution, name=f"Course {s}", slug=s,
                                         description="A course.", criteria_narrative="Pass.",
                                         credits_available=5) for s in ("a", "b")]
    degree = catalog.create_definition(None, institution, name="Demo Microdegree", slug="md",
                                       kind="microdegree", description="Both.",
                                       criteria_narrative="Both.", credits_available=10)
    catalog.set_rule(None, degree, {"all_of": [{"achievement": "a"}, {"achievement": "b"}]})
    for course in courses:
        issuing.issue_credential(None, course, recipient_email="done@example.org",
                                 recipient_name="Dana Done", send_email=False)
    inst_services.update_institution(None, institution, approve_microdegrees=True)
    for course in courses:
        issuing.issue_credential(None, course, recipient_email="wait@example.org",
                                 recipient_name="Walt Wait", send_email=False)
    client.force_login(owner)
    page = client.get("/institutions/example-uni/").content.decode()
    section = page.split('id="md-h"')[1]
    assert "1 microdegree awarded." in section
    assert "Dana Done" in section
    assert "Demo Microdegree" in section
    assert "waiting for approval" in section
    assert "Walt Wait" in section


def test_running_bulk_job_has_a_progress_bar(client, institution, owner, course):
    from microdegree.bulk import services as bulk

    csv = b"recipient_email,recipient_name\na@example.org,A\nb@example.org,B\n"
    job = bulk.prepare_job(owner, course, csv, filename="cohort.csv").job
    job = bulk.confirm_job(owner, job)  # queued: no worker runs in the test
    client.force_login(owner)
    page = client.get("/institutions/example-uni/").content.decode()
    assert f"/institutions/example-uni/bulk/{job.uuid}/" in page
    assert '<progress max="100" value="0"' in page
    assert "Queued, 0 of 2" in page


def test_platform_staff_approve_and_others_cannot(client, make_user, admin_user):
    from microdegree.audit.models import AuditEntry
    from microdegree.institutions import services
    from microdegree.institutions.models import Institution

    owner = make_user("new@college.example")
    inst = services.register_institution(owner, name="New College", country_code="FR",
                                         owner=owner)
    # the owner sees it pending, with no approve button, and cannot approve it
    client.force_login(owner)
    page = client.get("/dashboard/").content.decode()
    assert "New College" in page
    assert "Approve" not in page
    assert client.post(f"/institutions/{inst.slug}/approve").status_code == 404
    inst.refresh_from_db()
    assert inst.status == Institution.Status.PENDING
    # platform staff see the pending list with the button, and approving works
    client.force_login(admin_user)
    page = client.get("/dashboard/").content.decode()
    assert f'action="/institutions/{inst.slug}/approve"' in page
    assert client.get(f"/institutions/{inst.slug}/approve").status_code == 405
    response = client.post(f"/institutions/{inst.slug}/approve")
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    inst.refresh_from_db()
    assert inst.status == Institution.Status.APPROVED
    assert AuditEntry.objects.filter(action="institution.approved",
                                     institution_id=inst.pk).exists()
    page = client.get("/dashboard/").content.decode()
    assert "No institution is waiting for approval." in page


def test_platform_staff_who_are_not_superusers_get_no_links_they_cannot_open(
        client, institution, make_user):
    operator = make_user("operator@platform.example", is_staff=True)
    client.force_login(operator)
    page = client.get("/dashboard/").content.decode()
    assert "Example University" in page  # listed, so it can be approved or looked up
    assert "/institutions/example-uni/" not in page  # but not linked: it would be a 404
    assert client.get("/institutions/example-uni/").status_code == 404
