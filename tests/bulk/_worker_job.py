"""Helper run as a subprocess by test_worker.py: `setup N` makes a confirmed job of N rows and
prints its id; `check JOB` prints what was issued, as JSON. Settings come from the environment
(DATABASE_URL, MICRODEGREE_DATA_DIR, ...), like a worker's."""

from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "microdegree.settings")

import django

django.setup()


def setup(n: int) -> None:
    from django.contrib.auth import get_user_model

    from microdegree.bulk import services
    from microdegree.catalog import services as catalog
    from microdegree.institutions import services as inst_services

    users = get_user_model().objects
    admin = users.create_user("admin", "admin@example.org", "x", is_staff=True,
                              is_superuser=True)
    owner = users.create_user("owner", "owner@example.org", "x")
    inst = inst_services.register_institution(owner, name="Kill Test University",
                                              country_code="NL", owner=owner, slug="kill-test")
    inst_services.approve_institution(admin, inst)
    version = catalog.create_definition(owner, inst, name="Resilience", slug="resilience",
                                        description="d", criteria_narrative="c")
    data = "email,name,result\n" + "".join(
        f"p{i}@example.org,Person {i},{i % 10}\n" for i in range(n))
    job, report, _ = services.prepare_job(owner, version, data.encode(), send_email=False)
    assert report.ok, report.problems
    services.confirm_job(owner, job)  # enqueues the task in the database
    print(job.pk)


def check(job_pk: int) -> None:
    from django.db.models import Count

    from microdegree.bulk.models import BulkJob
    from microdegree.issuing.models import IssuedCredential

    job = BulkJob.objects.get(pk=job_pk)
    creds = IssuedCredential.objects.filter(institution=job.institution)
    keys = list(creds.values_list("idempotency_key", flat=True))
    print(json.dumps({
        "state": job.state, "total": job.total, "issued_count": job.issued_count,
        "failed_count": job.failed_count, "credentials": creds.count(),
        "distinct_keys": len(set(keys)),
        "expected_keys": sorted(keys) == sorted(f"bulk:{job.uuid}:{r.row_number}"
                                                 for r in job.rows.all()),
        "rows": dict(job.rows.values_list("state").annotate(n=Count("id"))),
        "distinct_row_credentials": job.rows.exclude(credential=None)
        .values("credential").distinct().count(),
        "distinct_status_indices": creds.values("status_list", "status_index").distinct().count(),
    }))


if __name__ == "__main__":
    {"setup": setup, "check": check}[sys.argv[1]](int(sys.argv[2]))
