"""Error codes of the credential core.

Exceptions are for programming errors and for the signing side; `verify` never raises for a bad
credential: it turns every `VcError` into a failed check carrying the same code.
"""

from __future__ import annotations


class VerifierUnavailable(Exception):
    """The verifier could not finish: a resolver or fetcher's own infrastructure failed (e.g. the
    platform's database is down). Not a `VcError`: it says nothing about the document, so
    `verify` lets it propagate instead of turning it into a verdict; callers answer "try again"
    (the platform: 503 with Retry-After)."""

    code = "VERIFIER_UNAVAILABLE"

    def __init__(self, message: str = "The verifier is temporarily unavailable.") -> None:
        super().__init__(message)
        self.message = message


class VcError(Exception):
    """A credential-core error with a stable machine code and a sentence a person understands."""

    code: str = "VC_ERROR"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.message = message

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class ContextError(VcError):
    """A JSON-LD context is not bundled, or the document uses terms no context defines."""

    code = "JSONLD_CONTEXT_ERROR"


class CanonicalizationError(VcError):
    """A document could not be canonicalised (safe-mode violation, poisoning, malformed JSON-LD)."""

    code = "CANONICALIZATION_ERROR"


class KeyFormatError(VcError):
    """A key, multibase string or DID is malformed."""

    code = "KEY_FORMAT_ERROR"


class ResolutionError(VcError):
    """A DID or verification method could not be resolved."""

    code = "DID_RESOLUTION_ERROR"


class FetchError(VcError):
    """An outbound fetch was refused (SSRF guard), timed out, was too large or failed."""

    code = "FETCH_ERROR"


class ProofError(VcError):
    """A proof could not be created or is malformed."""

    code = "PROOF_ERROR"


class StatusListError(VcError):
    """A Bitstring Status List is malformed, too short, or an index is out of range."""

    code = "STATUS_LIST_ERROR"


class BuildError(VcError):
    """A builder was given values that cannot make a valid document."""

    code = "BUILD_ERROR"
