"""The verification report in the reader's language: check labels and sentences for the pages.

The core (`microdegree.vc`) knows no Django and writes its sentences in English; they also go,
unchanged, into the JSON answers (the VC API, `/verify` for JSON clients), next to the codes.
Only the HTML pages translate, here at the edge: a label by its English text, a sentence by the
English pattern the core writes. A sentence no pattern knows stays in English, so a new or changed
core message is never lost, only untranslated.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC

from django.utils.formats import date_format, get_format
from django.utils.translation import gettext, gettext_noop, pgettext

from microdegree.vc.report import Check, Report
from microdegree.vc.verify import parse_datetime
from microdegree.verification import summary

# The English labels of summary.LABELS / STATUS_LABELS, marked so makemessages collects them.
_LABELS = (
    gettext_noop("Input"), gettext_noop("Verifier"), gettext_noop("Format"),
    gettext_noop("Schema"), gettext_noop("Signature"), gettext_noop("JWT claims"),
    gettext_noop("Issuer's key"), gettext_noop("Dates"), gettext_noop("Revocation and suspension"),
    gettext_noop("Known issuer"), gettext_noop("Recipient"), gettext_noop("Nested credentials"),
    gettext_noop("Presentation challenge"), gettext_noop("Presentation domain"),
    gettext_noop("Presentation holder"), gettext_noop("Revocation"), gettext_noop("Suspension"),
    gettext_noop("Status"), gettext_noop("Issuer's name"), gettext_noop("Other signer"),
    gettext_noop("Related resources"),
)

# Sentences the core writes word for word.
_SENTENCES = (
    gettext_noop("The credential is well formed."),
    gettext_noop("The presentation is well formed."),
    gettext_noop("The credential matches its 1EdTech JSON Schema."),
    gettext_noop("The document carries no proof, so nobody can tell who issued it."),
    gettext_noop("A proof must be a JSON object."),
    gettext_noop("The proof names no verification method."),
    gettext_noop("The signing key belongs to the issuer and is authorised for issuing."),
    gettext_noop("The credential is valid now and does not expire."),
    gettext_noop("The issuer's revocation list does not list it."),
    gettext_noop("The status entry names no status list credential."),
    gettext_noop("The status list is published by a different issuer than the credential."),
    gettext_noop("The 1EdTech revocation list could not be checked."),
    gettext_noop("Status lists nest too deeply to be checked."),
    gettext_noop("The credential names you."),
    gettext_noop("The credential's recipient identifier matches."),
    gettext_noop("Credentials are nested too deeply."),
    gettext_noop("The issuer has revoked this credential."),
    gettext_noop("The issuer has suspended this credential."),
    gettext_noop("The issuer asks holders to refresh this credential."),
    # What this platform's records know beyond the credential's status entries (ADR 0006).
    gettext_noop("The issuer has suspended this credential (the issuer's own records on this "
                 "platform). Outside verifiers that read only the credential's status entry see "
                 "it as not revoked."),
    gettext_noop("The issuer has revoked this credential (the issuer's own records on this "
                 "platform). Outside verifiers that read only the credential's status entry see "
                 "it as not revoked."),
    gettext_noop("The issuer has suspended this credential (the issuer's own records on this "
                 "platform). The credential names no status list, so outside verifiers cannot "
                 "see this."),
    gettext_noop("The issuer has revoked this credential (the issuer's own records on this "
                 "platform). The credential names no status list, so outside verifiers cannot "
                 "see this."),
    gettext_noop("All of:"),  # a microdegree rule (catalog.rules.describe)
    # What the verify page says when the input is not a credential (verification/extract.py).
    gettext_noop("Paste a credential, choose a file, or give the credential's address."),
    gettext_noop("The uploaded file is empty."),
    gettext_noop("Nothing to verify: the input is empty."),
    gettext_noop("A credential or presentation is a JSON object, not a list or a value."),
    gettext_noop("This is not a credential: expected JSON, a compact JWS (VC-JWT), a baked PNG or "
                 "SVG badge, or a PDF certificate with the credential attached."),
    gettext_noop("The file is neither a PNG image, a PDF nor UTF-8 text (JSON, JWS or SVG)."),
    gettext_noop("This is not a PNG image."),
    gettext_noop("This PNG carries no Open Badges 3.0 credential (no iTXt chunk "
                 "'openbadgecredential')."),
    gettext_noop("This SVG carries no Open Badges 3.0 credential (no <openbadges:credential>)."),
    gettext_noop("The PDF could not be read: the file is damaged or not a PDF."),
    gettext_noop("The PDF is encrypted, so the credential inside cannot be read."),
    gettext_noop("There is no credential at that address on this platform."),
)
_KNOWN = frozenset(_SENTENCES)

_NOT_JSON = re.compile(r"The text is not valid JSON: (?P<reason>.*)\.")

# (English pattern, translated template): the template's %(name)s are the pattern's groups.
_PATTERNS: tuple[tuple[re.Pattern[str], Callable[[], str]], ...] = (
    (re.compile(r"The (?P<suite>[\w.:-]+) signature is valid\."),
     lambda: gettext("The %(suite)s signature is valid.")),
    (re.compile(r"The (?P<suite>[\w.:-]+) signature does not match the document: it was changed "
                r"after signing, or signed with another key\."),
     lambda: gettext("The %(suite)s signature does not match the document: it was changed after "
                     "signing, or signed with another key.")),
    (re.compile(r"The proof or document is malformed: (?P<reason>.*)"),
     lambda: gettext("The proof or document is malformed: %(reason)s")),
    (re.compile(r"(?P<name>\S+) could not be fetched: (?P<reason>.*)"),
     lambda: gettext("%(name)s could not be fetched: %(reason)s")),
    (re.compile(r"The DID method (?P<method>\S+) is not supported\."),
     lambda: gettext("The DID method %(method)s is not supported.")),
    (re.compile(r"No resolver for (?P<target>\S+)\."),
     lambda: gettext("No resolver for %(target)s.")),
    (re.compile(r"The credential is valid now, until (?P<end>.+)\."),
     lambda: gettext("The credential is valid now, until %(end)s.")),
    (re.compile(r"The credential expired on (?P<end>.+)\."),
     lambda: gettext("The credential expired on %(end)s.")),
    (re.compile(r"The credential is not valid before (?P<start>.+)\."),
     lambda: gettext("The credential is not valid before %(start)s.")),
    (re.compile(r"The credential's status is clear\."),
     lambda: gettext("The credential's status is clear.")),
    (re.compile(r"The credential's status is clear \((?P<note>.*)\)\."),
     lambda: gettext("The credential's status is clear (%(note)s).")),
    (re.compile(r"The issuer has revoked this credential: (?P<reason>.*)\."),
     lambda: gettext("The issuer has revoked this credential: %(reason)s.")),
    (re.compile(r"The issuer has suspended this credential: (?P<reason>.*)\."),
     lambda: gettext("The issuer has suspended this credential: %(reason)s.")),
    (re.compile(r"The issuer is known: (?P<name>.+) \(registry: (?P<registry>.+)\)\."),
     lambda: gettext("The issuer is known: %(name)s (registry: %(registry)s).")),
    (re.compile(r"The document calls its issuer (?P<claimed>.+); the registry \((?P<registry>.+)\) "
                r"knows this DID as (?P<name>.+)\."),
     lambda: gettext("The document calls its issuer %(claimed)s; the registry (%(registry)s) "
                     "knows this DID as %(name)s.")),
    (re.compile(r"The issuer (?P<issuer>\S+) is not in any registry this verifier trusts\. The "
                r"signature can still be valid: it only means nobody here vouches for who the "
                r"issuer is\."),
     lambda: gettext("The issuer %(issuer)s is not in any registry this verifier trusts. The "
                     "signature can still be valid: it only means nobody here vouches for who "
                     "the issuer is.")),
    (re.compile(r"The status list at (?P<url>\S+) was not fetched \(fetching is off\), so "
                r"revocation is unknown\."),
     lambda: gettext("The status list at %(url)s was not fetched (fetching is off), so "
                     "revocation is unknown.")),
    (re.compile(r"The status list at (?P<url>\S+) could not be fetched \((?P<reason>.*)\)\. "
                r"The status is unknown, so the credential cannot be verified\."),
     lambda: gettext("The status list at %(url)s could not be fetched (%(reason)s). The status "
                     "is unknown, so the credential cannot be verified.")),
    (re.compile(r"The status list at (?P<url>\S+) failed its own verification\. The status is "
                r"unknown, so the credential cannot be verified\."),
     lambda: gettext("The status list at %(url)s failed its own verification. The status is "
                     "unknown, so the credential cannot be verified.")),
    (re.compile(r"The revocation list at (?P<url>\S+) could not be fetched \((?P<reason>.*)\)\. "
                r"The status is unknown, so the credential cannot be verified\."),
     lambda: gettext("The revocation list at %(url)s could not be fetched (%(reason)s). The "
                     "status is unknown, so the credential cannot be verified.")),
    (re.compile(r"This proof is by (?P<party>\S+), not the issuer \(a notary or an endorser, for "
                r"example\); the issuer's own proof is what binds the credential to the "
                r"issuer\."),
     lambda: gettext("This proof is by %(party)s, not the issuer (a notary or an endorser, for "
                     "example); the issuer's own proof is what binds the credential to the "
                     "issuer.")),
    (re.compile(r"The signing key belongs to (?P<owner>\S+), not to the issuer (?P<issuer>\S+)\."),
     lambda: gettext("The signing key belongs to %(owner)s, not to the issuer %(issuer)s.")),
    (re.compile(r"At least (?P<needed>\d+) of:"), lambda: gettext("At least %(needed)s of:")),
    (re.compile(r"At least (?P<credits>\d+(?:\.\d+)?) credits from:"),
     lambda: gettext("At least %(credits)s credits from:")),
    (re.compile(r"EQF level (?P<level>\d+)"), lambda: gettext("EQF level %(level)s")),
    (re.compile(r"NQF level (?P<level>.+)"), lambda: gettext("NQF level %(level)s")),
    (_NOT_JSON,  # the page shows plain words first (plain_message), this as the detail
     lambda: gettext("The text is not valid JSON: %(reason)s.")),
    (re.compile(r"The credential could not be fetched: (?P<reason>.*)"),
     lambda: gettext("The credential could not be fetched: %(reason)s")),
    (re.compile(r"The credential names a JSON Schema \((?P<url>.*)\) that is not bundled, so it "
                r"was not checked\."),
     lambda: gettext("The credential names a JSON Schema (%(url)s) that is not bundled, so it "
                     "was not checked.")),
)


def plain_message(message: str) -> str | None:
    """Plain words to show first for a sentence too technical to read first (pasted text that
    is not JSON), in the active language; None for every other sentence."""
    if _NOT_JSON.fullmatch(message):
        return gettext("This text isn't a complete credential. Paste the whole file, starting "
                       "with { and ending with }.")
    return None


def check_label(check: Check) -> str:
    """The check's heading in the active language ("Signatur 2" for a second proof)."""
    english = summary.label(check)
    base, space, number = english.rpartition(" ")
    if space and number.isdigit() and base in _LABELS:
        return f"{gettext(base)} {number}"
    return gettext(english) if english in _LABELS else english


def check_message(message: str) -> str:
    """The core's English sentence in the active language, or as it is if no pattern knows it."""
    if message in _KNOWN:
        return gettext(message)
    for pattern, template in _PATTERNS:
        found = pattern.fullmatch(message)
        if found:
            return template() % {k: _localised(v) for k, v in found.groupdict().items()}
    return message


def _localised(text: str) -> str:
    """A number or date-time of the sentence written the reader's way; other text as it is.

    "7.5" -> "7,5"; "2027-01-01T00:00:00Z" -> "1. Januar 2027" (a time other than midnight UTC
    is shown too, with its zone, since validity ends at that moment).
    """
    if _DECIMAL.fullmatch(text):
        return text.replace(".", str(get_format("DECIMAL_SEPARATOR")))
    moment = parse_datetime(text)
    if moment is None:
        return text
    moment = moment.astimezone(UTC)
    if (moment.hour, moment.minute, moment.second) == (0, 0, 0):
        return date_format(moment, "DATE_FORMAT")
    return f"{date_format(moment, 'DATETIME_FORMAT')} UTC"


_DECIMAL = re.compile(r"\d+\.\d+")


def headline(level: str, warned: bool) -> str:
    """The verdict a person reads first: "Verified", "Verified, with warnings", "Could not be
    fully checked", "Not verified" (`level` is one of summary's LEVEL_*)."""
    if level == summary.LEVEL_FAILED:
        return pgettext("verdict", "Not verified")
    if level == summary.LEVEL_INCOMPLETE:
        return pgettext("verdict", "Could not be fully checked")
    if warned:
        return pgettext("verdict", "Verified, with warnings")
    return pgettext("verdict", "Verified")


def check_rows(report: Report) -> list[dict[str, str]]:
    """summary.check_rows, label and sentence translated; codes stay as the core wrote them."""
    return [{**row, "label": check_label(check), "message": check_message(check.message)}
            for row, check in zip(summary.check_rows(report), _shown(report), strict=True)]


def _shown(report: Report) -> list[Check]:
    return [c for c in report.checks if c.outcome.value != "skip"]
