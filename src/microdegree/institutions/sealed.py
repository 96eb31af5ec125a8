"""Every value sealed under the master key, and re-sealing them all under a new one.

Apps that seal a column with `keystore.default_keystore()` register it here (in their
`AppConfig.ready`), so master-key rotation finds every sealed value without this module knowing
the apps above it (institution signing keys, the platform key, other hosts' client secrets).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from django.apps import apps
from django.db import transaction

from microdegree.audit.services import log_action
from microdegree.institutions.errors import Invalid
from microdegree.institutions.keystore import KeyStore, default_keystore


@dataclass(frozen=True)
class SealedField:
    model: str  # "app_label.Model"
    field: str  # a BinaryField; b"" means nothing sealed
    context: Callable[[Any], bytes]  # the row's associated data


_FIELDS: dict[tuple[str, str], SealedField] = {}


def register(model: str, field: str, context: Callable[[Any], bytes]) -> None:
    _FIELDS[(model, field)] = SealedField(model, field, context)


def sealed_fields() -> list[SealedField]:
    return sorted(_FIELDS.values(), key=lambda f: (f.model, f.field))


def reseal_all(actor: Any, new_store: KeyStore, *, dry_run: bool = False) -> dict[str, int]:
    """Open every sealed value with the current master key and seal it with `new_store`.

    One transaction: either every value is re-sealed or none is (a value that does not open with
    the current key stops the rotation with `Invalid`, naming the row). With `dry_run` every
    value is opened (proving the current key opens them all) and nothing is written.
    Returns the number of values per "model.field".
    """
    current = default_keystore()
    counts: dict[str, int] = {}
    with transaction.atomic():
        for spec in sealed_fields():
            model = apps.get_model(spec.model)
            name = f"{spec.model}.{spec.field}"
            counts[name] = 0
            for row in model.objects.select_for_update().order_by("pk"):
                sealed = bytes(getattr(row, spec.field) or b"")
                if not sealed:
                    continue
                context = spec.context(row)
                try:
                    secret = current.open(sealed, context)
                except (InvalidTag, ValueError) as exc:
                    raise Invalid(
                        f"{name} of row {row.pk} does not open with the current master key; "
                        "nothing was changed.", code="MASTER_KEY_MISMATCH") from exc
                counts[name] += 1
                if not dry_run:
                    setattr(row, spec.field, new_store.seal(secret, context))
                    row.save(update_fields=[spec.field])
        if not dry_run:
            log_action(actor, "institutions.master_key_rotated", object_type="keystore",
                       object_id="master", after={"resealed": counts})
    return counts
