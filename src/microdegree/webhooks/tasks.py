"""The background task (django-tasks): workers send due webhook deliveries."""

from __future__ import annotations

from django_tasks import task


@task()
def deliver_webhooks() -> dict[str, int]:
    """Send the deliveries that are due (new events and retries); see `delivery`."""
    from microdegree.webhooks.delivery import deliver_due

    return deliver_due()
