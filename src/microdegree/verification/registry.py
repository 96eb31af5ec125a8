"""The issuer registries this platform trusts: its own approved institutions, then an operator list.

`platform_registry()` is a `ChainRegistry`; the first registry that knows an issuer answers, and
its name is what the verify page and the API show ("Microdegree platform", or the operator list
named after its file). An unknown issuer is a warning, never a failed signature.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from microdegree import config
from microdegree.errors import verifier_reads
from microdegree.institutions.models import Institution, SigningKey, did_web_host
from microdegree.vc.registry import ChainRegistry, IssuerRegistry, RegistryEntry, StaticRegistry

log = logging.getLogger(__name__)

PLATFORM_REGISTRY = "Microdegree platform"
TRUSTED_FILE_ENV = "TRUSTED_ISSUERS_FILE"  # MICRODEGREE_TRUSTED_ISSUERS_FILE


def platform_did_prefix() -> str:
    """Every DID this platform mints starts with this."""
    return f"did:web:{did_web_host()}:issuers:"


def platform_slug(issuer_id: str) -> str | None:
    """The institution slug of one of this platform's DIDs, else None."""
    prefix = platform_did_prefix()
    if not issuer_id.startswith(prefix):
        return None
    slug = issuer_id[len(prefix):].split("#", 1)[0]
    return slug if slug and ":" not in slug else None


def key_institution(issuer_id: str) -> Institution | None:
    """The approved institution whose signing key (current or retired, not revoked) is this
    did:key: an institution that issues as did:key (docs/adr/0016-did-key-issuers.md)."""
    if not issuer_id.startswith("did:key:z"):
        return None
    multibase = issuer_id[len("did:key:"):].split("#", 1)[0]
    key = (SigningKey.objects.select_related("institution")
           .filter(public_multibase=multibase, revoked_at__isnull=True,
                   institution__status=Institution.Status.APPROVED).first())
    return key.institution if key is not None else None


class PlatformRegistry:
    """Approved institutions of this platform (a database look-up each time: approvals are live)."""

    name = PLATFORM_REGISTRY

    def lookup(self, issuer_id: str) -> RegistryEntry | None:
        slug = platform_slug(issuer_id)
        if slug is None:
            with verifier_reads(f"The registry entry of {issuer_id}"):
                inst = key_institution(issuer_id)
            if inst is None:
                return None
            return RegistryEntry(issuer_id=issuer_id, name=inst.name, registry=self.name)
        with verifier_reads(f"The registry entry of {issuer_id}"):
            inst = (
                Institution.objects.filter(slug=slug, status=Institution.Status.APPROVED)
                .only("name")
                .first()
            )
        if inst is None:
            return None
        return RegistryEntry(issuer_id=issuer_id, name=inst.name, registry=self.name)


class _FileRegistry:
    """The operator's JSON list of trusted DIDs, re-read when the file changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = f"operator trusted list ({path.name})"
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._registry: StaticRegistry | None = None

    def _load(self) -> StaticRegistry | None:
        try:
            stat = self.path.stat()
        except OSError:
            log.warning("Trusted issuers file %s is missing.", self.path)
            return None
        stamp = (stat.st_mtime_ns, stat.st_size)
        with self._lock:
            if stamp != self._stamp:
                try:
                    self._registry = StaticRegistry.from_file(self.name, self.path)
                except (OSError, ValueError) as exc:
                    log.warning("Trusted issuers file %s is unusable: %s", self.path, exc)
                    self._registry = None
                self._stamp = stamp
            return self._registry

    def lookup(self, issuer_id: str) -> RegistryEntry | None:
        registry = self._load()
        return registry.lookup(issuer_id) if registry is not None else None


def trusted_file() -> Path | None:
    from django.conf import settings

    raw = getattr(settings, "MICRODEGREE_TRUSTED_ISSUERS_FILE", None) or config.env(
        TRUSTED_FILE_ENV
    )
    return Path(raw) if raw else None


def platform_registry() -> IssuerRegistry:
    """The platform's approved institutions, then the operator's trusted list (if configured)."""
    registries: list[IssuerRegistry] = [PlatformRegistry()]
    path = trusted_file()
    if path is not None:
        registries.append(_file_registry(path))
    return ChainRegistry(*registries)


_file_registries: dict[Path, _FileRegistry] = {}


def _file_registry(path: Path) -> _FileRegistry:
    found = _file_registries.get(path)
    if found is None:
        found = _file_registries.setdefault(path, _FileRegistry(path))
    return found
