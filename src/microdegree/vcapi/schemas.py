"""Request and response shapes of the W3C CCG VC API, as django-ninja (pydantic) schemas.

They document the API (the OpenAPI document is generated from them) and parse requests. The
credential itself is a free JSON object here: its rules are VCDM 2.0's, checked by
`validation.py` and the core verifier, which give better messages than a schema could.
"""

from __future__ import annotations

from typing import Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field, model_validator

from microdegree.api_layer import Error as Error  # the platform's error shapes
from microdegree.api_layer import Problem as Problem

CredentialJson = dict[str, Any]


class JsonObject(Schema):
    """A schema that only a JSON object satisfies (ninja's Schema also reads attributes, so
    without this a string would pass as an object with every field at its default)."""

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, data: Any) -> Any:
        if not isinstance(getattr(data, "_obj", data), dict):  # ninja wraps it in a DjangoGetter
            raise ValueError("must be a JSON object")
        return data


Purpose = Literal["revocation", "suspension", "message"]


class StatusMessage(JsonObject):
    model_config = ConfigDict(extra="forbid")

    status: str = Field(..., description="the value in hexadecimal, e.g. 0x1")
    message: str = Field(..., max_length=500)


class StatusOption(JsonObject):
    model_config = ConfigDict(extra="forbid")

    type: Literal["BitstringStatusListEntry"] = "BitstringStatusListEntry"
    statusPurpose: Purpose | list[Purpose] = Field(
        "revocation", description="one purpose or several; each gets an entry in this "
        "institution's own Bitstring Status List (a `message` entry in a list of `statusSize` "
        "bits per entry)")
    statusSize: int | None = Field(
        None, ge=1, le=8, description="bits per entry of the `message` entry (default 1)")
    statusMessage: list[StatusMessage] | None = Field(
        None, max_length=256, description="the `message` entry's message for each value "
        "0x0 .. 2^statusSize - 1 (required when statusSize > 1)")
    statusReference: str | list[str] | None = Field(
        None, description="URL(s) where the meaning of the statuses is explained; added to "
        "each entry")


class IssueOptions(JsonObject):
    model_config = ConfigDict(extra="forbid")

    cryptosuite: Literal["eddsa-rdfc-2022", "eddsa-jcs-2022"] = "eddsa-rdfc-2022"
    credentialStatus: StatusOption | None = Field(
        None, description="add a BitstringStatusListEntry (revocation by default)")
    created: str | None = Field(None, description="the proof's `created` (default: now)")


class IssueRequest(Schema):
    credential: CredentialJson = Field(
        ..., description="an unsigned VCDM 2.0 credential; `issuer` (this institution's DID), "
        "`id` and `validFrom` are filled in when absent")
    options: IssueOptions | None = None


class IssueResponse(Schema):
    verifiableCredential: CredentialJson


class VerifyOptions(JsonObject):
    """Options of the verify endpoints; others a client sends are ignored."""

    model_config = ConfigDict(extra="allow")

    challenge: str | None = None
    domain: str | None = None
    acceptUnknownStatus: bool = Field(
        False, strict=True, description="accept a credential whose status cannot be "
        "determined (its status list cannot be fetched or fails its own verification: "
        "STATUS_RETRIEVAL_ERROR, STATUS_VERIFICATION_ERROR, STATUS_UNKNOWN) as verified, with "
        "that problem as a warning; by default such a credential is not verified (422)")


class VerifyCredentialRequest(Schema):
    verifiableCredential: CredentialJson
    options: VerifyOptions | None = None


class VerifyPresentationRequest(Schema):
    verifiablePresentation: CredentialJson
    options: VerifyOptions | None = None


class VerifyProblem(Schema):
    """One failed or warning check (an RFC 9457-style problem with our machine code)."""

    type: str
    code: str
    title: str
    detail: str
    path: str | None = None


class VerifyResponse(Schema):
    """VC API's `{checks, warnings, errors}`, plus our verdict and the full report."""

    verified: bool
    checks: list[str]
    warnings: list[VerifyProblem]
    errors: list[VerifyProblem]
    report: dict[str, Any]


class StatusChange(JsonObject):
    type: Literal["BitstringStatusListCredential", "BitstringStatusListEntry"] = (
        "BitstringStatusListCredential")
    statusPurpose: Literal["message"] | None = Field(
        None, description="`message`: set the value of the credential's message entry")
    status: str = Field(..., pattern=r"^(revoked|suspended|unsuspended|active|0x[0-9a-fA-F]{1,2})$",
                        description="revoked, suspended, unsuspended or "
                        "active; with statusPurpose `message` a value such as 0x2")


class UpdateStatusRequest(Schema):
    credentialId: str = Field(..., min_length=1, max_length=500)
    credentialStatus: list[StatusChange] = Field(
        ..., min_length=1, max_length=4)
    reason: str | None = Field(None, max_length=2000)


class UpdateStatusResponse(Schema):
    credentialId: str
    state: Literal["active", "suspended", "revoked"]
    messageStatus: str | None = Field(
        None, description="the message entry's value (0x..) when the credential has one")
