"""`python -m microdegree.manage send_claim_reminders`: remind recipients of credentials nobody
claimed, once each, `MICRODEGREE_CLAIM_REMINDER_DAYS` after the award (records/reminders.py).
Run it from cron (hourly or daily); runs may overlap: no credential is reminded twice."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from microdegree.records.reminders import send_due


class Command(BaseCommand):
    help = "E-mail one reminder for each credential still unclaimed after the set days."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=500,
                            help="at most this many reminders in this run (default 500)")

    def handle(self, *args: Any, limit: int, **options: Any) -> None:
        sent = send_due(limit=max(1, limit))
        self.stdout.write(f"{sent} claim reminder(s) sent.")
