"""The issuer profile a VC API credential may carry: the institution's own, as registered.

An institution signs with its key; whatever the credential says about the issuer is signed with
it and shown by verifiers. So the name, web site, e-mail and image in `issuer` are the ones the
institution registered (and a platform admin approved), never a caller's choice:

- `issuer` is a bare DID: left as it is (a DID names nobody; verifiers look the name up).
- `issuer` is an object: each of `name`, `url`, `email`, `image` it gives must equal the
  registered value (a registered value that is empty allows none), else a problem
  `ISSUER_PROFILE_MISMATCH`; the ones it leaves out are filled in from the registration (the
  name always, since VCDM 2.0 defines it; url and e-mail when an Open Badges context, which
  defines them, is named: a plain VC would fail JSON-LD safe mode with them).

`reconcile(document, profile)` does both on the unsigned document, before it is checked and
signed, and returns the problems. No Django here: `registered(inst)` reads the institution.
"""

from __future__ import annotations

from typing import Any

from microdegree.vcapi.validation import Problem

CHECKED = ("name", "url", "email", "image")
CODE = "ISSUER_PROFILE_MISMATCH"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context"


def _fillable(document: dict[str, Any]) -> tuple[str, ...]:
    contexts = document.get("@context")
    named = contexts if isinstance(contexts, list) else [contexts]
    if any(isinstance(c, str) and c.startswith(OB_CONTEXT) for c in named):
        return CHECKED
    return ("name",)


def registered(inst: Any) -> dict[str, str]:
    """The institution's registered profile fields (empty ones left out)."""
    values = {"name": inst.name, "url": inst.url, "email": inst.email}
    return {key: value for key, value in values.items() if value}


def _same(field: str, given: Any, known: str) -> bool:
    if not isinstance(given, str):
        return False
    given, known = given.strip(), known.strip()
    if field == "url":
        return given.rstrip("/") == known.rstrip("/")
    if field == "email":
        return given.casefold() == known.casefold()
    return " ".join(given.split()) == " ".join(known.split())


def _shown(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def reconcile(document: dict[str, Any], profile: dict[str, str]) -> list[Problem]:
    """Refuse an issuer profile that differs from `profile`; fill in what it leaves out."""
    issuer = document.get("issuer")
    if not isinstance(issuer, dict):
        return []
    found: list[Problem] = []
    fillable = _fillable(document)
    for field in CHECKED:
        known = profile.get(field)
        if field not in issuer:
            if known and field in fillable:
                issuer[field] = known
            continue
        given = issuer[field]
        if known is None:
            found.append(Problem(
                CODE, f"The issuer's {field} {_shown(given)!r} is not part of this "
                "institution's registered profile, which has no " + field + "; leave it out.",
                f"$.issuer.{field}"))
        elif not _same(field, given, known):
            found.append(Problem(
                CODE, f"The issuer's {field} must be the institution's registered {field}, "
                f"{known!r} (the request says {_shown(given)!r}); leave it out to have it "
                "filled in.", f"$.issuer.{field}"))
    return found
