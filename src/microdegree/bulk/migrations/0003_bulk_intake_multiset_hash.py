"""The content hash of a batch becomes the sum of its rows' hashes (modulo 2**256), so a batch
streamed row by row is hashed as it arrives (bulk.csvparse.row_hash). Existing jobs get their hash
recomputed from their stored rows, so uploading an old batch again still finds its job."""

from __future__ import annotations

import hashlib
import json

from django.db import migrations


def _row_hash(data: object) -> int:  # frozen copy of microdegree.bulk.csvparse.row_hash
    line = json.dumps(data, sort_keys=True, ensure_ascii=False).encode()
    return int.from_bytes(hashlib.sha256(line).digest(), "big")


def rehash(apps, schema_editor):
    BulkJob = apps.get_model("bulk", "BulkJob")
    BulkRow = apps.get_model("bulk", "BulkRow")
    for job in BulkJob.objects.only("pk").iterator():
        total = sum(_row_hash(data) for data in BulkRow.objects.filter(job_id=job.pk)
                    .values_list("data", flat=True).iterator(chunk_size=2000))
        BulkJob.objects.filter(pk=job.pk).update(content_hash=f"{total % (1 << 256):064x}")


class Migration(migrations.Migration):
    dependencies = [("bulk", "0002_worker_heartbeats")]

    operations = [migrations.RunPython(rehash, migrations.RunPython.noop)]
