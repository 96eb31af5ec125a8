"""The `data` of each event, built from the models the services hold (read by attribute only:
this module imports nothing from the apps that emit)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def credential(cred: Any) -> dict[str, Any]:
    """An issued credential as receivers see it (the signed document is not sent: fetch it
    with the issuing API, `GET /api/v1/institutions/SLUG/credentials/UUID`)."""
    version = cred.achievement_version
    definition = version.definition
    return {
        "credential": {
            "id": cred.credential_id,
            "uuid": str(cred.uuid),
            "state": cred.state,
            "stateReason": cred.state_reason or None,
            "issuedAt": _iso(cred.issued_at),
            "validUntil": _iso(cred.valid_until),
            "creditsEarned": cred.credits_earned,
            "achievement": {"slug": definition.slug, "kind": definition.kind,
                            "version": version.number, "name": version.name},
            "recipient": {"email": cred.recipient_email, "name": cred.recipient_name or None,
                          "identifier": cred.recipient_identifier or None},
        },
    }


def api_credential(cred: Any) -> dict[str, Any]:
    """A credential issued through the W3C VC API (its document is the caller's: no
    achievement or recipient fields of ours)."""
    return {"credential": {"id": cred.credential_id, "uuid": str(cred.uuid), "state": cred.state,
                           "stateReason": cred.state_reason or None,
                           "issuedAt": _iso(cred.issued_at), "source": "vcapi"}}


def vcapi_event(action: str) -> str:
    """The event of a VC API status action (revoke, suspend, unsuspend)."""
    return {"revoke": "credential.revoked", "suspend": "credential.suspended",
            "unsuspend": "credential.unsuspended"}[action]


def credentials(creds: Iterable[Any]) -> list[dict[str, Any]]:
    return [credential(c) for c in creds]


def microdegrees(version: Any, creds: Sequence[Any]) -> list[dict[str, Any]]:
    """`microdegree.completed` for each microdegree credential among `creds` (of `version`)."""
    if version.definition.kind != "microdegree":
        return []
    out = []
    for cred in creds:
        data = credential(cred)
        data["components"] = sorted(cred.components.values_list("credential_id", flat=True))
        out.append(data)
    return out


def decision(decision: Any) -> dict[str, Any]:
    """`credit_application.decided`, sent to the receiving institution's subscriptions."""
    application = decision.application
    program = application.program
    modules = decision.exempted_modules.order_by("code")
    return {
        "application": {
            "uuid": str(application.uuid),
            "learner": {"email": application.learner.email},
            "program": {"slug": program.slug, "name": program.name},
        },
        "decision": {
            "outcome": decision.outcome,
            "credits": decision.credits,
            "exemptedModules": [m.code for m in modules],
            "reason": decision.reason or None,
            "decidedAt": _iso(decision.decided_at),
            "credentialId": decision.credential.credential_id if decision.credential else None,
        },
    }
