"""The platform's own DID (did:web:HOST:platform -> PUBLIC_URL/platform/did.json) and key, and
the learner's CLR 2.0 export signed with it.

The key is made on first use and sealed with `institutions.keystore` exactly like institution
keys (AES-256-GCM under the master key, bound to its row by the associated data).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from django.db import IntegrityError, transaction

from microdegree.audit.services import log_action
from microdegree.catalog.pathways import pathways_containing
from microdegree.institutions.keystore import default_keystore
from microdegree.institutions.models import did_web_host
from microdegree.issuing.models import IssuedCredential
from microdegree.records.models import ImportedCredential, PlatformKey
from microdegree.vc import builders as b
from microdegree.vc import did as vc_did
from microdegree.vc import proofs
from microdegree.vc.builders.clr import Association, clr_credential
from microdegree.vc.builders.identity import hash_identity
from microdegree.vc.keys import Ed25519Key

PLATFORM_NAME = "Microdegree platform"


def platform_did() -> str:
    return f"did:web:{did_web_host()}:platform"


def _context(fragment: str) -> bytes:
    return f"microdegree-platform-key:{fragment}".encode()


def key_context(key: PlatformKey) -> bytes:
    """The associated data of a sealed platform key (master-key rotation re-seals with it)."""
    return _context(key.fragment)


def platform_key() -> PlatformKey:
    """The active platform key, created (and audited) the first time one is needed."""
    key = PlatformKey.objects.filter(retired_at__isnull=True).last()
    if key is not None:
        return key
    try:
        return _create_key()
    except IntegrityError:  # another process made it first (unique fragment)
        return PlatformKey.objects.filter(retired_at__isnull=True).last()


def _create_key() -> PlatformKey:
    with transaction.atomic():
        key = PlatformKey.objects.select_for_update().filter(retired_at__isnull=True).last()
        if key is not None:
            return key
        secret = Ed25519Key.generate()
        assert secret.seed is not None
        fragment = f"key-{PlatformKey.objects.count() + 1}"
        key = PlatformKey.objects.create(
            fragment=fragment, public_multibase=secret.public_multibase,
            sealed_secret=default_keystore().seal(secret.seed, _context(fragment)),
        )
        log_action(None, "records.platform_key_created", key,
                   after={"did": platform_did(), "fragment": fragment,
                          "public": key.public_multibase})
    return key


def did_document() -> dict[str, Any]:
    platform_key()
    keys = [(k.fragment, k.public_multibase) for k in PlatformKey.objects.all()]
    return vc_did.did_web_document(platform_did(), keys)


@lru_cache(maxsize=16)
def _open(pk: int, sealed: bytes, fragment: str) -> Ed25519Key:
    del pk
    return Ed25519Key.from_seed(default_keystore().open(sealed, _context(fragment)))


def signer() -> tuple[Ed25519Key, str]:
    key = platform_key()
    return (_open(key.pk, bytes(key.sealed_secret), key.fragment),
            f"{platform_did()}#{key.fragment}")


# --- the CLR export -------------------------------------------------------------------------


def _achievement_id(document: dict[str, Any]) -> str | None:
    subject = document.get("credentialSubject")
    for s in subject if isinstance(subject, list) else [subject]:
        if isinstance(s, dict) and isinstance(s.get("achievement"), dict):
            value = s["achievement"].get("id")
            return value if isinstance(value, str) else None
    return None


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def associations(platform: Sequence[IssuedCredential]
                 ) -> tuple[list[Association], list[b.Achievement]]:
    """isPartOf links from each chosen course to the microdegrees it belongs to.

    A chosen microdegree credential links its own components (those chosen too); a course of a
    microdegree the learner does not (yet) hold links to that microdegree's latest version,
    which the CLR then lists in `achievement` (name, description, criteria only).
    """
    chosen_ids = {c.pk for c in platform}
    achievement_of = {c.pk: _achievement_id(json.loads(c.document)) for c in platform}
    out: dict[tuple[str, str], Association] = {}
    extra: dict[str, b.Achievement] = {}
    held_defs: dict[int, str] = {}
    for cred in platform:
        if cred.achievement_version.definition.is_microdegree and achievement_of[cred.pk]:
            held_defs[cred.achievement_version.definition_id] = achievement_of[cred.pk] or ""
            for part in cred.components.all():
                if part.pk in chosen_ids and achievement_of.get(part.pk):
                    source, target = achievement_of[part.pk], achievement_of[cred.pk]
                    assert source is not None
                    assert target is not None
                    out[(source, target)] = Association(association_type="isPartOf",
                                                        source_id=source, target_id=target)
    for cred in platform:
        source = achievement_of[cred.pk]
        if source is None or cred.achievement_version.definition.is_microdegree:
            continue
        for version in pathways_containing(cred.achievement_version.definition):
            target = held_defs.get(version.definition_id)
            if target is None:
                target = version.achievement_id
                extra.setdefault(target, b.Achievement(
                    id=target, name=version.name, description=version.description,
                    criteria=b.Criteria(narrative=version.criteria_narrative or None,
                                        id=version.criteria_url or None),
                    achievement_type=version.achievement_type,
                ))
            out.setdefault((source, target), Association(
                association_type="isPartOf", source_id=source, target_id=target))
    return list(out.values()), list(extra.values())


def build_clr(user: Any, platform: Sequence[IssuedCredential],
              imported: Sequence[ImportedCredential], *, email: str) -> dict[str, Any]:
    """The signed ClrCredential: the chosen credentials verbatim, issued by the platform DID."""
    nested = [json.loads(c.document) for c in platform]
    nested += [i.decoded for i in imported if i.format != "jwt"]
    links, extra = associations(platform)
    name = (user.get_full_name() or "").strip()
    document = clr_credential(
        issuer=b.Profile(id=platform_did(), name=PLATFORM_NAME),
        name=f"Comprehensive Learner Record{' of ' + name if name else ''}",
        description="Credentials chosen by the learner, each signed by its issuer.",
        verifiable_credential=nested,
        identifier=[hash_identity(email, None, "emailAddress")],
        achievement=extra,
        association=links,
        partial=True,
        credential_id=f"urn:uuid:{uuid.uuid4()}",
        valid_from=_now(),
        awarded_date=_now(),
    )
    key, method = signer()
    return proofs.sign(document, key, verification_method=method, suite="eddsa-rdfc-2022")
