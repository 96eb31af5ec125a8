"""`repair_status_lists`: make the served lists say what a revoked credential is (ADR 0006).

Credentials revoked while active kept a clear suspension bit, those revoked while suspended a set
one; since the amendment to ADR 0006 a revoked credential's suspension bit is set. Safe to run
again (it changes only clear bits of revoked credentials); `--dry-run` only counts.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from microdegree.issuing import statuslists


class Command(BaseCommand):
    help = "Set the suspension bit of every revoked credential (ADR 0006 amendment)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count, change nothing.")

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        count = statuslists.repair_revoked(dry_run=dry_run)
        verb = "would be set" if dry_run else "set"
        self.stdout.write(f"{count} suspension bit(s) of revoked credentials {verb}.")
