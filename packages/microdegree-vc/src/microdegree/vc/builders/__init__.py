"""Builders: typed inputs in, plain unsigned OB 3.0 / CLR 2.0 / VCDM 2.0 dicts out.

Output follows STANDARDS.md §0-§2: arrays for `type`/`credentialSchema`, plain strings, `image`
as `{id, type: "Image"}`, `@context` in the exact order (plus `extensions.json` whenever a
1EdTech type appears and our EU context whenever EU terms appear), `urn:uuid:` ids by default.
Bad input raises `BuildError` with a specific code; the field checks the builders use
(`check_iri`, `check_text`, `check_number`, `check_datetime`) are public for other typed
inputs. Sign the result with `microdegree.vc.proofs`.

Not emitted: `endorsementJwt` (the OB 3.0.3 context does not define it, so safe-mode JSON-LD refuses
it; embed signed EndorsementCredentials in `endorsement` instead), and more than one
`credentialStatus` entry while a 1EdTech schema is declared (both schema flavours want one object).
"""

from microdegree.vc.builders._common import (
    EU_CONTEXT,
    EU_TERMS,
    EU_VOCAB,
    OB_CONTEXTS,
    check_datetime,
    check_iri,
    check_number,
    check_text,
    eu_context,
)
from microdegree.vc.builders.achievement import (
    ACHIEVEMENT_TYPES,
    Achievement,
    Alignment,
    Criteria,
    IdentifierEntry,
    Image,
    Related,
    ResultDescription,
    RubricCriterionLevel,
)
from microdegree.vc.builders.clr import Association, clr_credential
from microdegree.vc.builders.credentials import (
    Evidence,
    OpenBadgeCredential,
    Result,
    achievement_credential,
    endorsement_credential,
)
from microdegree.vc.builders.eu import EUMicroCredential, eqf_alignment
from microdegree.vc.builders.identity import (
    IdentityObject,
    hash_identity,
    identity_matches,
    plain_identity,
)
from microdegree.vc.builders.presentation import verifiable_presentation
from microdegree.vc.builders.profile import Address, Profile
from microdegree.vc.builders.status_list import status_list_credential

__all__ = [
    "ACHIEVEMENT_TYPES",
    "EU_CONTEXT",
    "EU_TERMS",
    "EU_VOCAB",
    "OB_CONTEXTS",
    "Achievement",
    "Address",
    "Alignment",
    "Association",
    "Criteria",
    "EUMicroCredential",
    "Evidence",
    "IdentifierEntry",
    "IdentityObject",
    "Image",
    "OpenBadgeCredential",
    "Profile",
    "Related",
    "Result",
    "ResultDescription",
    "RubricCriterionLevel",
    "achievement_credential",
    "check_datetime",
    "check_iri",
    "check_number",
    "check_text",
    "clr_credential",
    "endorsement_credential",
    "eqf_alignment",
    "eu_context",
    "hash_identity",
    "identity_matches",
    "plain_identity",
    "status_list_credential",
    "verifiable_presentation",
]
