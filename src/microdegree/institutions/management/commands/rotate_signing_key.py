"""Give an institution a new signing key; the old public keys stay in its DID document.

    python -m microdegree.manage rotate_signing_key demo-university --dry-run
    python -m microdegree.manage rotate_signing_key demo-university
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from microdegree.institutions.errors import DomainError
from microdegree.institutions.models import Institution
from microdegree.institutions.services import rotate_key


class Command(BaseCommand):
    help = "Rotate an institution's signing key (old credentials keep verifying)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="the institution's slug")
        parser.add_argument("--dry-run", action="store_true", help="say what would change")

    def handle(self, *args: Any, **options: Any) -> None:
        inst = Institution.objects.filter(slug=options["slug"]).first()
        if inst is None:
            raise CommandError(f"no institution with the slug {options['slug']!r}")
        active = list(inst.keys.filter(retired_at__isnull=True, revoked_at__isnull=True)
                      .values_list("fragment", flat=True))
        if options["dry_run"]:
            self.stdout.write(f"would retire {', '.join(active) or 'no key'} of {inst.name} and "
                              "make a new key; old public keys stay in the DID document")
            return
        try:
            new = rotate_key("manage rotate_signing_key", inst)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"{inst.name}: new signing key {new.fragment} ({new.public_multibase}); "
                          f"retired {', '.join(active) or 'none'}")
