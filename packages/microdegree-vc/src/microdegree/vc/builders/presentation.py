"""VerifiablePresentation (unsigned): a holder hands over signed credentials."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from microdegree.vc.builders import _common as c
from microdegree.vc.contexts import VC_V2_CONTEXT
from microdegree.vc.errors import BuildError


def verifiable_presentation(
    verifiable_credential: Sequence[Mapping[str, Any]],
    *,
    holder: str | None = None,
    presentation_id: str | None = None,
) -> dict[str, Any]:
    """A VCDM 2.0 presentation; credentials are embedded verbatim (each with its @context)."""
    credentials = []
    for index, credential in enumerate(verifiable_credential):
        if not isinstance(credential, Mapping) or "@context" not in credential:
            raise BuildError(
                f"verifiableCredential[{index}] must be a credential object with its @context.",
                code="BUILD_INVALID_VALUE",
            )
        credentials.append(dict(credential))
    return c.drop_none({
        "@context": [VC_V2_CONTEXT],
        "id": c.check_iri(presentation_id or c.new_id(), "presentation id"),
        "type": ["VerifiablePresentation"],
        "holder": c.check_iri(holder, "holder") if holder is not None else None,
        "verifiableCredential": credentials,
    })
