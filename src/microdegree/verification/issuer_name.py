"""Who issued a credential, as a page should name it: the registry's name before the document's.

A credential names its issuer twice: by DID (bound to the signing key) and by a name the signer
wrote (anything). When a registry this platform trusts knows the DID (its own approved
institutions, the operator's trusted list), the page names the issuer as the registry does and
flags a differing name in the document; otherwise it shows the document's name as the
document's claim. Read from the report's `issuer.registry` and `issuer.name` checks
(`microdegree.vc.verify`), so it is whatever the verifier found.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from microdegree.vc.report import Outcome, Report


@dataclass(frozen=True, slots=True)
class IssuerName:
    id: str | None
    name: str | None  # the name to show: the registry's if known, else the document's
    known: bool  # the name comes from a registry
    registry: str | None
    claimed: str | None  # the name the document gives
    mismatch: bool  # the document's name differs from the registry's

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "known": self.known, "registry": self.registry,
                "claimedName": self.claimed, "mismatch": self.mismatch}


def issuer_name(report: Report, issuer_id: str | None, claimed: str | None) -> IssuerName:
    """The name to show for the issuer of the document `report` is about."""
    known_name: str | None = None
    registry: str | None = None
    mismatch = False
    for check in report.checks:
        if check.name == "issuer.registry" and check.outcome is Outcome.PASS:
            name = check.details.get("issuerName")
            if isinstance(name, str) and name and name != issuer_id:  # a bare DID is no name
                known_name = name
                registry = str(check.details.get("registry") or "") or None
        elif check.name == "issuer.name" and check.outcome is Outcome.WARN:
            mismatch = True
    return IssuerName(id=issuer_id, name=known_name or claimed, known=known_name is not None,
                      registry=registry, claimed=claimed, mismatch=mismatch and bool(known_name))


def looked_up(issuer_id: str | None, claimed: str | None) -> IssuerName:
    """The same answer without a report: the trusted registries asked about the DID directly
    (for pages that show a stored credential without verifying it again, e.g. a share page)."""
    from microdegree.verification.registry import platform_registry

    entry = platform_registry().lookup(issuer_id) if issuer_id else None
    known = entry.name if entry is not None and entry.name != issuer_id else None
    return IssuerName(id=issuer_id, name=known or claimed, known=known is not None,
                      registry=entry.registry if known and entry else None, claimed=claimed,
                      mismatch=bool(known and claimed and " ".join(claimed.split())
                                    != " ".join(known.split())))
