"""Bulk rows whose credits or result the achievement does not offer are named with their row and
column before anything is issued (issue 16, point 1), in a CSV upload and in API rows."""

from __future__ import annotations

import pytest

from microdegree.bulk import services
from microdegree.bulk.models import BulkJob
from microdegree.catalog.models import AchievementVersion

from .test_views import upload

pytestmark = pytest.mark.django_db


def test_csv_rows_over_the_credits_or_outside_the_scheme_are_named(client, issuer, course):
    AchievementVersion.objects.filter(pk=course.pk).update(grade_scheme="Pass/Fail")
    client.force_login(issuer)
    data = (b"email,credits,grade\n"
            b"a@example.org,5,Pass\n"
            b"b@example.org,50,Pass\n"
            b"c@example.org,4,Excellent\n")
    page = client.get(upload(client, data)["Location"]).content.decode()
    assert "2 of 3 rows cannot be issued" in page
    assert ("<td>3</td><td>credits_earned</td><td>Credits earned: 50 is more than the 5 credits "
            "“Data Literacy” offers; give at most 5.</td>") in page
    assert ("<td>4</td><td>result</td><td>Result: “Excellent” is not a result “Data Literacy” "
            "allows; use one of: Pass, Fail.</td>") in page
    assert "Confirm and issue" not in page
    job = BulkJob.objects.get()
    assert (job.total, job.invalid_count) == (3, 2)
    codes = {(e["row"], e["column"], e["code"]) for e in job.report["errors"]}
    assert codes == {(3, "credits_earned", "CREDITS_EXCEED_ACHIEVEMENT"),
                     (4, "result", "RESULT_OUT_OF_RANGE")}


def test_api_rows_are_checked_the_same_way(issuer, course):
    job, report, _ = services.prepare_job(issuer, course, [
        {"email": "a@example.org", "credits": 5}, {"email": "b@example.org", "credits": 5.01}])
    assert [(p.row, p.column, p.code) for p in report.problems] == [
        (2, "credits_earned", "CREDITS_EXCEED_ACHIEVEMENT")]
    assert not job.can_confirm
