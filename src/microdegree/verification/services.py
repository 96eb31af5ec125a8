"""Verification for people: the verify page, the public credential pages and their JSON.

`verify_for_people` runs the core's pipeline with what this platform knows:

* a resolver that answers this platform's own did:web DIDs from the database (the same document
  `/issuers/<slug>/did.json` serves; no HTTP to ourselves) and everything else through the core's
  SSRF-safe, caching `default_resolver` (did:key offline, did:web and key URLs over HTTPS);
* a status fetcher that serves this platform's own status lists from the database (the signed
  list credential `issuing.statuslists.published` produces) and fetches other hosts' lists
  through a `SafeFetcher`, each cached for the list's own `ttl` or a short default (capped at
  an hour), so that no verdict outlives a revocation by more than that;
* the platform registry (approved institutions, then the operator's trusted list).

Settings (Django settings, or the MICRODEGREE_<NAME> environment variable for the first four):
VERIFY_ALLOW_PRIVATE / VERIFY_ALLOW_HTTP (tests and development only: fetch loopback/private
hosts, plain HTTP), VERIFY_CA_FILE (extra trusted CA certificates), VERIFY_STATUS_TTL (default
seconds a status list is kept when it names no `ttl`), TRUSTED_ISSUERS_FILE (see registry.py).
"""

from __future__ import annotations

import re
import ssl
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from microdegree import config
from microdegree.errors import verifier_reads
from microdegree.institutions import services as inst_services
from microdegree.institutions.errors import NotFound as InstitutionNotFound
from microdegree.institutions.models import Institution, did_web_host
from microdegree.issuing import statuslists
from microdegree.issuing.models import IssuedCredential
from microdegree.vc import did as did_mod
from microdegree.vc.errors import FetchError, ResolutionError
from microdegree.vc.extract import (
    MAX_UPLOAD,
    Extracted,
    ExtractError,
    extract,
    merge_jws_checks,
)
from microdegree.vc.fetch import Fetcher, FetchResponse, SafeFetcher
from microdegree.vc.report import Outcome, Report
from microdegree.vc.urls import UrlError, parse_url
from microdegree.vc.verify import STATUS_UNKNOWN, verify
from microdegree.verification import hooks
from microdegree.verification import summary as summary_mod
from microdegree.verification.issuer_name import issuer_name
from microdegree.verification.registry import key_institution, platform_registry, platform_slug

DEFAULT_STATUS_TTL = 60.0  # seconds, when a status list names no ttl
MAX_STATUS_TTL = 3600.0  # a list asking for longer is still refetched after an hour
CREDENTIAL_ACCEPT = (
    "application/vc+ld+json, application/ld+json;q=0.9, application/json;q=0.9, "
    "application/vc+jwt;q=0.8, application/jwt;q=0.8, text/plain;q=0.5"
)
URL_CONTENT_TYPES = frozenset({
    "application/vc+ld+json", "application/ld+json", "application/json", "application/vc+jwt",
    "application/vc+ld+jwt", "application/jwt", "text/plain", "image/png", "image/svg+xml",
    "application/pdf",  # a PDF certificate with the credential attached
})
_STATUS_PATH = re.compile(r"/status/(?P<slug>[-a-zA-Z0-9_]+)/(?P<purpose>[a-z]+)/(?P<seq>[0-9]+)")
_CREDENTIAL_PATH = re.compile(r"/credentials/(?P<uuid>[0-9a-fA-F-]{36})/?")


# --- settings ---------------------------------------------------------------------------------


def _setting(name: str, default: Any) -> Any:
    value = getattr(settings, f"MICRODEGREE_{name}", None)
    if value is not None:
        return value
    raw = config.env(name)
    if raw is None:
        return default
    if isinstance(default, bool):
        return config.truthy(raw, default)
    if isinstance(default, float):
        return float(raw)
    return raw


def fetcher_options() -> dict[str, Any]:
    options: dict[str, Any] = {
        "allow_private": bool(_setting("VERIFY_ALLOW_PRIVATE", False)),
        "allow_http": bool(_setting("VERIFY_ALLOW_HTTP", False)),
        "timeout": 5.0,
    }
    ca_file = _setting("VERIFY_CA_FILE", None)
    if ca_file:
        context = ssl.create_default_context()
        context.load_verify_locations(cafile=str(ca_file))
        options["ssl_context"] = context
    return options


# --- our own DIDs and status lists, from the database -----------------------------------------


class PlatformResolver:
    """This platform's did:web DIDs from the database; others through `outside`."""

    def __init__(self, outside: did_mod.Resolver) -> None:
        self._outside = outside

    def resolve(self, did_or_url: str) -> dict[str, Any]:
        target = did_or_url.split("#", 1)[0]
        slug = platform_slug(target)
        if slug is None:
            ours = f"did:web:{platform_slug_host()}"
            if target == f"{ours}:platform":  # the platform's own DID (it signs learners' CLRs)
                with verifier_reads("The platform's DID document"):
                    document = hooks.platform_did_document()
                if document is not None:
                    return document
            if target == ours or target.startswith(ours + ":"):
                raise ResolutionError(f"{target} is not a DID of this platform.",
                                      code="DID_NOT_FOUND")
            return self._outside.resolve(did_or_url)
        with verifier_reads(f"The DID document of {target}"):
            try:
                inst = inst_services.get_institution(slug)
            except InstitutionNotFound as exc:
                raise ResolutionError(f"{target} is not an approved issuer on this platform.",
                                      code="DID_NOT_FOUND") from exc
            return inst_services.did_document(inst)


def platform_slug_host() -> str:
    return did_web_host()


def _ttl_seconds(document: Any) -> float | None:
    subject = document.get("credentialSubject") if isinstance(document, dict) else None
    if isinstance(subject, list) and subject:
        subject = subject[0]
    ttl = subject.get("ttl") if isinstance(subject, dict) else None
    if isinstance(ttl, bool) or not isinstance(ttl, int | float) or ttl < 0:
        return None
    return ttl / 1000.0


class StatusFetcher:
    """Status lists: ours from the database (always fresh), others cached for their `ttl`.

    Each fetched list is kept until `min(its ttl, MAX_STATUS_TTL)` (or `default_ttl` when it
    names none) has passed, in a bounded LRU. The core's `CachingFetcher` is not used here:
    its per-URL ttl overrides are never evicted, and hostile credentials naming ever new list
    URLs would grow them without bound.
    """

    def __init__(
        self,
        outside: Fetcher,
        default_ttl: float = DEFAULT_STATUS_TTL,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_entries: int = 1024,
    ) -> None:
        self._outside = outside
        self._default_ttl = default_ttl
        self._clock = clock
        self._max = max_entries
        self._entries: OrderedDict[tuple[str, str], tuple[float, FetchResponse]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, url: str, *, accept: str = "application/json") -> FetchResponse:
        local = self._local(url)
        if local is not None:
            return local
        key = (url, accept)
        now = self._clock()
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None and now < hit[0]:
                self._entries.move_to_end(key)
                return hit[1]
        response = self._outside.get(url, accept=accept)
        try:
            ttl = _ttl_seconds(response.json())
        except FetchError:
            ttl = None
        keep = min(self._default_ttl if ttl is None else ttl, MAX_STATUS_TTL)
        with self._lock:
            if keep > 0:
                self._entries[key] = (now + keep, response)
                self._entries.move_to_end(key)
            else:
                self._entries.pop(key, None)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)
        return response

    def _local(self, url: str) -> FetchResponse | None:
        base = settings.PUBLIC_URL.rstrip("/")
        if not url.startswith(base + "/"):
            return None
        match = _STATUS_PATH.fullmatch(urlsplit(url).path)
        if match is None:
            raise FetchError(f"{url} is not a status list of this platform.",
                             code="FETCH_HTTP_ERROR")
        with verifier_reads(f"The status list {url}"):
            found = statuslists.find_list(match["slug"], match["purpose"], int(match["seq"]))
            if found is None:
                raise FetchError(f"{url} is not a status list of this platform.",
                                 code="FETCH_HTTP_ERROR")
            text, etag = statuslists.published(found)
        return FetchResponse(url=url, status=200, content_type="application/vc+ld+json",
                             body=text.encode("utf-8"), headers={"etag": etag})


@dataclass
class _Tools:
    resolver: did_mod.Resolver
    status_fetcher: StatusFetcher
    url_fetcher: SafeFetcher


_tools: _Tools | None = None
_tools_lock = threading.Lock()


def tools() -> _Tools:
    """The resolver and fetchers (built once; rebuilt when a relevant setting changes)."""
    global _tools
    with _tools_lock:
        if _tools is None:
            options = fetcher_options()
            outside = did_mod.default_resolver(fetcher=SafeFetcher(**options))
            _tools = _Tools(
                resolver=PlatformResolver(outside),
                status_fetcher=StatusFetcher(
                    SafeFetcher(**options),
                    default_ttl=float(_setting("VERIFY_STATUS_TTL", DEFAULT_STATUS_TTL)),
                ),
                url_fetcher=SafeFetcher(**{**options, "max_bytes": MAX_UPLOAD}),
            )
        return _tools


def reset() -> None:
    """Forget cached DID documents and status lists (and re-read the settings)."""
    global _tools
    with _tools_lock:
        _tools = None


@receiver(setting_changed)
def _on_setting_changed(setting: str, **kwargs: Any) -> None:
    if setting.startswith("MICRODEGREE_") or setting == "PUBLIC_URL":
        reset()


# --- verification -----------------------------------------------------------------------------


@dataclass
class Verification:
    """A report with what a page needs: the document, its format and a summary per level."""

    report: Report
    document: dict[str, Any] | None = None
    format: str = "json"
    summary: summary_mod.Summary | None = None
    nested: list[Verification] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        return summary_mod.verdict(self.report)

    @property
    def level(self) -> str:
        return summary_mod.level(self.report)

    def to_json(self) -> dict[str, Any]:
        out = {
            "verified": self.report.verified,
            "verdict": self.verdict,
            "level": self.level,
            "format": self.format,
            "summary": self.summary.to_json() if self.summary else None,
            "report": self.report.to_json(),
        }
        out["warnings"] = [c.message for c in summary_mod.all_warnings(self.report)]
        if self.summary is not None and self.summary.kind == "credential":
            out["issuer"] = issuer_name(self.report, self.summary.issuer_id,
                                        self.summary.issuer_name).to_json()
        return out


def _merge_jws_checks(report: Report, extracted: Extracted) -> None:
    merge_jws_checks(report, extracted)


def platform_state(document: dict[str, Any]) -> str | None:
    """"revoked" or "suspended" when `document` is a credential this platform issued in that
    state (by its issuer, an institution here, and its id), else None.

    ADR 0006: a suspension is in the signed credential only when it embeds a suspension entry;
    this platform still knows it and says so (`vc.verify.IssuerRecords`). VC API credentials
    (`vcapi.ApiCredential`) can only change status through the entries they carry, so only
    awards are looked up.
    """
    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    credential_id = document.get("id")
    if not isinstance(issuer_id, str) or not isinstance(credential_id, str):
        return None
    slug = platform_slug(issuer_id)
    if slug is None:
        return None
    state = (IssuedCredential.objects
             .filter(credential_id=credential_id, institution__slug=slug)
             .values_list("state", flat=True).first())
    if state in (IssuedCredential.State.REVOKED, IssuedCredential.State.SUSPENDED):
        return str(state)
    return None


def verify_options(*, accept_unknown_status: bool = False) -> dict[str, Any]:
    """How this platform verifies: a status that cannot be determined is a failure (a
    STATUS_UNKNOWN warning made fatal too) unless the caller accepts unknown status."""
    if accept_unknown_status:
        return {"accept_unknown_status": True, "issuer_records": platform_state}
    return {"fatal": {STATUS_UNKNOWN}, "issuer_records": platform_state}


def verify_document(extracted: Extracted, *, now: datetime | None = None,
                    accept_unknown_status: bool = False) -> Verification:
    kit = tools()
    report = verify(
        extracted.document,
        now=now,
        resolver=kit.resolver,
        status_fetcher=kit.status_fetcher,
        registry=platform_registry(),
        **verify_options(accept_unknown_status=accept_unknown_status),
    )
    _merge_jws_checks(report, extracted)
    return _wrap(report, extracted.document, extracted.format)


def _wrap(report: Report, document: Any, fmt: str) -> Verification:
    result = Verification(report=report, document=document if isinstance(document, dict) else None,
                          format=fmt)
    if result.document is not None:
        result.summary = summary_mod.summarise(result.document)
        children = summary_mod.nested_documents(result.document)
        if len(children) == len(report.nested):
            result.nested = [_wrap(r, d, "json") for r, d in zip(report.nested, children,
                                                                strict=True)]
        else:
            result.nested = [_wrap(r, None, "json") for r in report.nested]
    else:
        result.nested = [_wrap(r, None, "json") for r in report.nested]
    return result


def verify_for_people(document_or_bytes: Any, *, now: datetime | None = None) -> Report:
    """The core's report for a dict, JSON/JWS text, or an upload (JSON, JWS, baked PNG/SVG).

    Unreadable input becomes a failed `input` check (never an exception).
    """
    return verify_input(document_or_bytes, now=now).report


def verify_input(document_or_bytes: Any, *, now: datetime | None = None) -> Verification:
    """Like `verify_for_people`, with the summary; raises ExtractError for unreadable input."""
    if isinstance(document_or_bytes, dict):
        extracted = Extracted(document=document_or_bytes, format="json")
    else:
        try:
            extracted = extract(document_or_bytes, resolver=tools().resolver)
        except ExtractError as exc:
            report = Report()
            report.add("input", Outcome.FAIL, exc.code, exc.message)
            return Verification(report=report, document=None, format="unknown")
    return verify_document(extracted, now=now)


def verify_upload(data: bytes | str, *, now: datetime | None = None) -> Verification:
    """For the page: ExtractError (a 400 with its message) when the input is unreadable."""
    return verify_document(extract(data, resolver=tools().resolver), now=now)


# --- credential URLs ------------------------------------------------------------------------


def local_credential_uuid(url: str) -> str | None:
    """The uuid if `url` is one of this platform's public credential pages."""
    base = urlsplit(settings.PUBLIC_URL)
    try:
        parts = parse_url(url.strip()).parts
    except UrlError:
        return None
    if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
        return None
    match = _CREDENTIAL_PATH.fullmatch(parts.path)
    return match["uuid"] if match else None


def fetch_credential(url: str) -> bytes:
    """The credential at `url`: ours from the database, others over SSRF-safe HTTPS.

    ExtractError (URL_INVALID, with a sentence) for anything that is not a well-formed URL.
    """
    url = url.strip()
    try:
        parse_url(url, what="The address")
    except UrlError as exc:
        raise ExtractError(f"The credential could not be fetched: {exc.message}",
                           code=exc.code) from exc
    cred_uuid = local_credential_uuid(url)
    if cred_uuid is not None:
        credential = public_credential(cred_uuid)
        # a credential its holder hid answers 404 at its address, so here too (the same message)
        if credential is None or hidden_by_holder(credential):
            raise ExtractError("There is no credential at that address on this platform.",
                               code="URL_NOT_FOUND")
        return credential.document.encode("utf-8")
    try:
        response = tools().url_fetcher.get(url, accept=CREDENTIAL_ACCEPT)
    except FetchError as exc:
        raise ExtractError(f"The credential could not be fetched: {exc.message}",
                           code=exc.code) from exc
    if response.content_type and response.content_type not in URL_CONTENT_TYPES:
        raise ExtractError(
            f"The address answered with {response.content_type}, not a credential "
            "(expected application/vc+ld+json, application/ld+json or application/json).",
            code="URL_NOT_CREDENTIAL",
        )
    return response.body


def hidden_by_holder(credential: IssuedCredential) -> bool:
    """Whether the learner holding it chose to hide it from the public (records answers)."""
    return hooks.hidden_by_holder(credential)


def institution_for_issuer(issuer_id: str | None) -> Institution | None:
    slug = platform_slug(issuer_id) if issuer_id else None
    if slug is None:
        return key_institution(issuer_id) if issuer_id else None
    return Institution.objects.filter(slug=slug, status=Institution.Status.APPROVED).first()


def public_credential(cred_uuid: Any) -> IssuedCredential | None:
    """The issued credential with this uuid (any state: revoked ones still have a page)."""
    return (
        IssuedCredential.objects.select_related("institution", "achievement_version",
                                                "superseded_by")
        .filter(uuid=cred_uuid)
        .first()
    )
