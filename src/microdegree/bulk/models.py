"""Bulk issuance jobs: one `BulkJob` per uploaded batch, one `BulkRow` per recipient.

A job is validated when it is created (its report says which rows fail and why); it is issued
only after a person confirms it. Rows are claimed in chunks with a lease (`claimed_until`), so
any number of worker processes can share one job and a killed worker's rows go back to the pool.
Each row is issued under the idempotency key `bulk:<job uuid>:<row number>`, so a row can never
be issued twice, whatever crashes where.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BulkJob(models.Model):
    class Source(models.TextChoices):
        CSV = "csv", _("CSV upload")
        API = "api", _("JSON API")

    class State(models.TextChoices):
        VALIDATED = "validated", _("Validated, awaiting confirmation")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.CASCADE, related_name="bulk_jobs"
    )
    achievement_version = models.ForeignKey(
        "catalog.AchievementVersion", on_delete=models.PROTECT, related_name="bulk_jobs"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by_label = models.CharField(max_length=200, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_by_label = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    filename = models.CharField(max_length=255, blank=True)
    idempotency_key = models.CharField(max_length=200, null=True, blank=True)
    content_hash = models.CharField(max_length=64, help_text=_("sha256 of the normalised rows"))
    state = models.CharField(max_length=10, choices=State.choices, default=State.VALIDATED)
    send_email = models.BooleanField(default=True)
    total = models.PositiveIntegerField(default=0)
    invalid_count = models.PositiveIntegerField(default=0)
    issued_count = models.PositiveIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True, help_text=_("the validation report"))
    error = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = (
            models.UniqueConstraint(
                fields=["institution", "idempotency_key"], name="bulk_unique_idempotency_key",
                condition=models.Q(idempotency_key__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["institution", "achievement_version", "content_hash"],
                name="bulk_unique_batch", condition=~models.Q(state="cancelled"),
            ),
        )
        indexes = (models.Index(fields=["institution", "state"]),)

    def __str__(self) -> str:
        return f"bulk job {self.uuid} ({self.state}, {self.issued_count}/{self.total})"

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED, self.State.CANCELLED)

    @property
    def is_active(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)

    @property
    def can_confirm(self) -> bool:
        return self.state == self.State.VALIDATED and self.invalid_count == 0 and self.total > 0

    @property
    def processed(self) -> int:
        return self.issued_count + self.failed_count

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if self.state == self.State.DONE else 0
        return int(100 * self.processed / self.total)


class BulkRow(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        ISSUED = "issued", _("Issued")
        FAILED = "failed", _("Failed")
        INVALID = "invalid", _("Invalid")

    job = models.ForeignKey(BulkJob, on_delete=models.CASCADE, related_name="rows")
    row_number = models.PositiveIntegerField()
    data = models.JSONField(help_text=_("the normalised award row"))
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    credential = models.ForeignKey(
        "issuing.IssuedCredential", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    error = models.TextField(blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    # the worker holding the lease (bulk.workers): a dead worker's rows are taken over at once
    claimed_by = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ("job", "row_number")
        constraints = (
            models.UniqueConstraint(fields=["job", "row_number"], name="bulk_unique_row"),
        )
        indexes = (models.Index(fields=["job", "state", "row_number"]),)

    def __str__(self) -> str:
        return f"row {self.row_number} of {self.job_id} ({self.state})"


class WorkerHeartbeat(models.Model):
    """A running `microdegree worker` says it is alive every few seconds (bulk.workers)."""

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"worker {self.worker_id} ({self.host}:{self.pid})"
