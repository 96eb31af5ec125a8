"""`python -m microdegree.manage send_webhooks`: send the due webhook deliveries now, here.

The workers do this on their own (a task is queued after every action that records an event,
and one is deferred to each retry); this command is for a deliverer lost with its task (the
database was down just after a commit), from cron or by hand.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from microdegree.webhooks.delivery import deliver_due


class Command(BaseCommand):
    help = "Send the webhook deliveries that are due (new events and retries)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=1000,
                            help="at most this many deliveries (default 1000)")

    def handle(self, *args: Any, limit: int, **options: Any) -> None:
        counts = deliver_due(limit=max(1, limit))
        self.stdout.write(f"{counts['delivered']} delivered, {counts['failed']} failed "
                          "(failed ones are retried later).")
