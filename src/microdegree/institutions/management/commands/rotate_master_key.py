"""Re-seal every sealed secret (signing keys, platform key, client secrets) under a new master key.

    python -m microdegree.manage rotate_master_key --generate new-master.key
    python -m microdegree.manage rotate_master_key --new-key-file new-master.key --dry-run
    python -m microdegree.manage rotate_master_key --new-key-file new-master.key

Stop the web and worker processes first, run it with the current MICRODEGREE_MASTER_KEY, then
start every process with the new key (docs/operations.md, "Keys").
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from microdegree.institutions.errors import Invalid
from microdegree.institutions.keystore import MasterKeyStore
from microdegree.institutions.sealed import reseal_all


def read_key_file(path: Path) -> bytes:
    try:
        raw = path.read_text(encoding="utf-8").strip()
        key = base64.b64decode(raw, validate=True)
    except OSError as exc:
        raise CommandError(f"cannot read the new master key: {exc}") from exc
    except (binascii.Error, ValueError) as exc:
        raise CommandError(f"{path} does not hold a base64 key") from exc
    if len(key) != 32:
        raise CommandError(f"{path} holds {len(key)} bytes; a master key is 32 bytes (base64)")
    return key


class Command(BaseCommand):
    help = "Re-seal every sealed secret under a new master key (one transaction)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--new-key-file", type=Path,
                            help="file holding the new key, 32 bytes base64")
        parser.add_argument("--generate", type=Path, metavar="FILE",
                            help="write a new random key to FILE (mode 600) and stop")
        parser.add_argument("--dry-run", action="store_true",
                            help="open every sealed value with the current key; change nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["generate"]:
            path: Path = options["generate"]
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError as exc:
                raise CommandError(f"{path} exists; choose a new file name") from exc
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(base64.b64encode(secrets.token_bytes(32)).decode() + "\n")
            self.stdout.write(f"wrote a new master key to {path} (mode 600)")
            return
        if not options["new_key_file"]:
            raise CommandError("give --new-key-file FILE (or --generate FILE to make one)")
        new_store = MasterKeyStore(read_key_file(options["new_key_file"]))
        try:
            counts = reseal_all("manage rotate_master_key", new_store,
                                dry_run=options["dry_run"])
        except Invalid as exc:
            raise CommandError(exc.message) from exc
        verb = "would re-seal" if options["dry_run"] else "re-sealed"
        for name, count in counts.items():
            self.stdout.write(f"{verb} {count} value(s) of {name}")
        if options["dry_run"]:
            self.stdout.write("dry run: nothing changed; every sealed value opens with the "
                              "current key")
        else:
            self.stdout.write("done: start every web and worker process with the new "
                              "MICRODEGREE_MASTER_KEY now; the old key no longer opens anything")
