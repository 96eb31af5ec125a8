"""Reading a learner's record (no writes): the credentials they hold, grouped by institution (a
held microdegree with its parts nested) or by competency, with credit totals, their progress
toward microdegrees, and the LinkedIn add-to-profile link.

Platform credentials are matched through the credential itself: the database column
`recipient_email` only narrows the candidates; a credential belongs to the record when one of
the learner's *verified* addresses hashes, with the credential's own salt, to an
`emailAddress` IdentityObject in its `credentialSubject`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.utils import timezone
from django.utils.formats import get_format
from django.utils.translation import gettext, gettext_lazy, pgettext

from microdegree.catalog import rules as catalog_rules
from microdegree.catalog.models import AchievementDefinition, AchievementVersion
from microdegree.catalog.pathways import pathways_containing, rule_names
from microdegree.issuing.models import IssuedCredential
from microdegree.records.achievement_fields import EQF_FRAMEWORKS, eqf_level
from microdegree.records.achievement_fields import as_list as _as_list
from microdegree.records.addressing import names_holder
from microdegree.records.models import (
    HIDDEN,
    LINK,
    PUBLIC,
    CredentialPreference,
    ImportedCredential,
    LearnerDid,
    LearnerEmail,
    default_visibility,
)
from microdegree.vc.builders.identity import identity_matches
from microdegree.verification.summary import Summary, summarise

NO_COMPETENCY = gettext_lazy("Other credentials (no competency named)")


def verified_emails(user: Any) -> list[str]:
    return list(LearnerEmail.objects.filter(user=user, verified_at__isnull=False)
                .values_list("email", flat=True))


def names_recipient(document: dict[str, Any], emails: Iterable[str]) -> bool:
    """Whether the credential's subject names one of `emails` by an emailAddress identity."""
    wanted = list(emails)
    for subject in _as_list(document.get("credentialSubject")):
        if not isinstance(subject, dict):
            continue
        for identity in _as_list(subject.get("identifier")):
            if not isinstance(identity, dict) or identity.get("identityType") != "emailAddress":
                continue
            if any(identity_matches(identity, email) for email in wanted):
                return True
    return False


def platform_credentials(user: Any, emails: Sequence[str] | None = None
                         ) -> list[IssuedCredential]:
    """The platform's credentials issued to any verified address of `user` (newest first)."""
    emails = verified_emails(user) if emails is None else list(emails)
    if not emails:
        return []
    candidates = (IssuedCredential.objects
                  .select_related("institution", "achievement_version__definition__institution")
                  .filter(recipient_email__in=emails).order_by("-issued_at", "-id"))
    return [c for c in candidates if names_recipient(json.loads(c.document), emails)]


def owned_credential(user: Any, cred_uuid: Any) -> IssuedCredential | None:
    """One platform credential of the learner's record, or None (missing or not theirs)."""
    cred = (IssuedCredential.objects.select_related("institution", "achievement_version")
            .filter(uuid=cred_uuid).first())
    if cred is None:
        return None
    emails = verified_emails(user)
    if cred.recipient_email not in emails or not names_recipient(json.loads(cred.document),
                                                                 emails):
        return None
    return cred


def holder_dids(user: Any) -> list[str]:
    return list(LearnerDid.objects.filter(user=user).values_list("did", flat=True))


def addressed_to(user: Any, document: Any) -> bool:
    """Whether `document` names `user` (a confirmed address or their DID)."""
    return names_holder(document, verified_emails(user), holder_dids(user))


def owned_import(user: Any, imp_uuid: Any) -> ImportedCredential | None:
    return ImportedCredential.objects.filter(uuid=imp_uuid, user=user).first()


# --- one record entry -----------------------------------------------------------------------


@dataclass
class Item:
    """One credential in the record, platform or imported, with what the page shows."""

    kind: str  # "platform" or "imported"
    obj: IssuedCredential | ImportedCredential
    document: dict[str, Any]
    summary: Summary
    state: str  # valid / revoked / suspended / expired / not yet valid
    competencies: list[tuple[str, str]] = field(default_factory=list)  # (name, url)
    ects: float | None = None
    eqf: int | None = None
    is_microdegree: bool = False
    preference: CredentialPreference | None = None

    @property
    def key(self) -> str:
        return f"{'p' if self.kind == 'platform' else 'i'}-{self.obj.uuid}"

    @property
    def valid(self) -> bool:
        return self.state == "valid"

    @property
    def visibility(self) -> str:
        """Who can see it on this platform's public pages (`Visibility`, ADR 0027)."""
        if self.preference is not None:
            return self.preference.visibility
        return default_visibility(platform=self.kind == "platform")

    @property
    def hidden(self) -> bool:
        return self.visibility == HIDDEN

    @property
    def public_page(self) -> bool:
        """Whether its public page (/credentials/<uuid>) answers everyone."""
        return self.kind == "platform" and self.visibility == PUBLIC

    @property
    def link_shared(self) -> bool:
        """Whether its share link answers (it exists once the learner made a choice)."""
        return (self.preference is not None and self.addressed
                and self.visibility in (PUBLIC, LINK))

    @property
    def visibility_label(self) -> str:
        return visibility_label(self)

    @property
    def addressed(self) -> bool:
        """Platform credentials are matched to the record by address; imports say."""
        return self.kind == "platform" or bool(getattr(self.obj, "addressed", False))

    @property
    def image(self) -> str:
        """The badge picture's path on this site: the achievement's image for a platform
        credential; an import's own badge download (its name and issuer, drawn here: nothing is
        loaded from elsewhere when the learner opens the record)."""
        if isinstance(self.obj, IssuedCredential):
            return self.obj.achievement_version.badge_path
        return f"/me/credentials/{self.key}/credential.svg"

    @property
    def definition_id(self) -> int | None:
        if isinstance(self.obj, IssuedCredential):
            return self.obj.achievement_version.definition_id
        return None

    @property
    def institution_name(self) -> str:
        if isinstance(self.obj, IssuedCredential):
            return self.obj.institution.name
        return self.summary.issuer_name or self.summary.issuer_id or ""


def _achievement(document: dict[str, Any]) -> dict[str, Any]:
    for subject in _as_list(document.get("credentialSubject")):
        if isinstance(subject, dict) and isinstance(subject.get("achievement"), dict):
            return subject["achievement"]
    return {}


def competencies_of(document: dict[str, Any]) -> list[tuple[str, str]]:
    """(name, url) of each competency alignment of the credential's achievement (not levels)."""
    out = []
    for alignment in _as_list(_achievement(document).get("alignment")):
        if not isinstance(alignment, dict) or not isinstance(alignment.get("targetName"), str):
            continue
        if alignment.get("targetFramework") in EQF_FRAMEWORKS:
            continue
        if str(alignment.get("targetName")).startswith(("EQF level", "NQF level")):
            continue
        out.append((alignment["targetName"], str(alignment.get("targetUrl") or "")))
    return out


def eqf_of(document: dict[str, Any]) -> int | None:
    return eqf_level(_achievement(document))


def ects_of(document: dict[str, Any]) -> float | None:
    value = _achievement(document).get("ECTS")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _window_state(summary: Summary, now: datetime) -> str:
    if summary.valid_until is not None and summary.valid_until < now:
        return "expired"
    if summary.valid_from is not None and summary.valid_from > now:
        return "not yet valid"
    return "valid"


def _import_state(imported: ImportedCredential, summary: Summary, now: datetime) -> str:
    """The last verification's state, unless the validity window has closed since."""
    window = _window_state(summary, now)
    if imported.status in ("revoked", "not verified") or window == "valid":
        return imported.status or "valid"
    return window


def platform_state(cred: IssuedCredential, now: datetime | None = None) -> str:
    now = now or timezone.now()
    if cred.state == IssuedCredential.State.REVOKED:
        return "revoked"
    if cred.state == IssuedCredential.State.SUSPENDED:
        return "suspended"
    if cred.valid_until is not None and cred.valid_until < now:
        return "expired"
    if cred.valid_from > now:
        return "not yet valid"
    return "valid"


def _import_document(imported: ImportedCredential) -> dict[str, Any]:
    return imported.decoded if isinstance(imported.decoded, dict) else {}


def items(user: Any) -> list[Item]:
    """Every credential of the record, platform ones first (newest first), then imports."""
    now = timezone.now()
    prefs = CredentialPreference.objects.filter(user=user)
    by_cred = {p.credential_id: p for p in prefs if p.credential_id}
    by_import = {p.imported_id: p for p in prefs if p.imported_id}
    out: list[Item] = []
    for cred in platform_credentials(user):
        document = json.loads(cred.document)
        out.append(Item(
            kind="platform", obj=cred, document=document,
            summary=summarise(document, show_recipient=False), state=platform_state(cred, now),
            competencies=competencies_of(document), ects=ects_of(document),
            eqf=eqf_of(document),
            is_microdegree=cred.achievement_version.definition.is_microdegree,
            preference=by_cred.get(cred.pk),
        ))
    for imported in ImportedCredential.objects.filter(user=user):
        document = _import_document(imported)
        summary = summarise(document, show_recipient=False)
        out.append(Item(
            kind="imported", obj=imported, document=document, summary=summary,
            state=_import_state(imported, summary, now),
            competencies=competencies_of(document),
            ects=ects_of(document), eqf=eqf_of(document),
            preference=by_import.get(imported.pk),
        ))
    return out


# --- grouping and totals --------------------------------------------------------------------


@dataclass
class Group:
    name: str
    url: str
    items: list[Item]


@dataclass
class Totals:
    ects: float = 0.0
    counted: int = 0
    by_level: dict[str, float] = field(default_factory=dict)  # "EQF 6" -> ECTS


def grouped(record: Sequence[Item]) -> list[Group]:
    """One group per competency (a credential aligned to two appears in both), then the rest."""
    groups: dict[tuple[str, str], list[Item]] = defaultdict(list)
    rest: list[Item] = []
    for item in record:
        if not item.competencies:
            rest.append(item)
        for name, url in dict.fromkeys(item.competencies):
            groups[(name, url)].append(item)
    out = [Group(name, url, members)
           for (name, url), members in sorted(groups.items(), key=lambda kv: kv[0][0].lower())]
    if rest:
        out.append(Group(str(NO_COMPETENCY), "", rest))
    return out


@dataclass
class Degree:
    """A microdegree the learner holds, with the credentials of the record that are its parts."""

    item: Item
    parts: list[Item]


@dataclass
class InstitutionGroup:
    name: str
    degrees: list[Degree]
    others: list[Item]  # credentials that are not part of a held microdegree


def by_institution(record: Sequence[Item]) -> list[InstitutionGroup]:
    """One group per issuing institution (imports by their issuer's name), in name order; in each,
    the held microdegrees with their parts nested, then every other credential.

    A part is a credential of the record whose achievement the microdegree's rule (the version
    awarded) names; a part of two held microdegrees shows under both."""
    groups: dict[str, list[Item]] = defaultdict(list)
    for item in record:
        groups[item.institution_name].append(item)
    out = []
    for name in sorted(groups, key=lambda n: (n == "", n.lower())):
        members = groups[name]
        degrees: list[Degree] = []
        nested: set[int] = set()
        for item in members:
            if not (item.is_microdegree and isinstance(item.obj, IssuedCredential)):
                continue
            wanted = set(catalog_rules.achievement_ids(item.obj.achievement_version.rule or {}))
            parts = [m for m in members if m is not item and m.definition_id in wanted]
            nested.update(id(m) for m in parts)
            degrees.append(Degree(item=item, parts=parts))
        others = [m for m in members
                  if id(m) not in nested and not any(d.item is m for d in degrees)]
        out.append(InstitutionGroup(name=name or gettext("Issuer not named"),
                                    degrees=degrees, others=others))
    return out


def totals(record: Sequence[Item]) -> Totals:
    """ECTS of the valid credentials addressed to the learner, overall and per EQF level.

    A platform microdegree is not added again: its components are already counted.
    """
    out = Totals()
    by_level: dict[str, float] = defaultdict(float)
    for item in record:
        if not item.valid or not item.addressed or item.is_microdegree or item.ects is None:
            continue
        out.ects += item.ects
        out.counted += 1
        level = gettext("EQF %(level)s") % {"level": item.eqf} if item.eqf else None
        by_level[level or gettext("Level not stated")] += item.ects
    out.by_level = dict(sorted(by_level.items()))
    return out


# --- progress toward microdegrees -----------------------------------------------------------


@dataclass
class Node:
    """One node of a rule tree, ready for a template."""

    text: str
    done: bool
    kind: str
    not_needed: bool = False  # not done, but a group above it is: an option the learner skipped
    value: float = 0.0  # for the progress bar
    maximum: float = 0.0
    progress_label: str = ""
    children: list[Node] = field(default_factory=list)


@dataclass
class Progress:
    version: AchievementVersion
    complete: bool
    held: bool
    tree: Node
    credits_held: float
    credits_needed: float | None
    missing: list[str]


def _holdings(creds: Iterable[IssuedCredential]) -> dict[int, float]:
    holdings: dict[int, float] = {}
    for cred in creds:
        credits = cred.credits_earned
        if credits is None:
            credits = cred.achievement_version.credits_available or 0.0
        definition_id = cred.achievement_version.definition_id
        holdings[definition_id] = max(float(credits), holdings.get(definition_id, 0.0))
    return holdings


def _fmt(value: float) -> str:
    """7.5 as the reader writes it ("7,5" in German): the labels are built per request."""
    return f"{value:g}".replace(".", str(get_format("DECIMAL_SEPARATOR")))


def _node(status: catalog_rules.NodeStatus, names: dict[int, str],
          settled: bool = False) -> Node:
    """`settled`: a group above is done, so what is not done here was not needed."""
    node = _node_of(status, names, settled)
    node.not_needed = settled and not status.done
    return node


def _node_of(status: catalog_rules.NodeStatus, names: dict[int, str], settled: bool) -> Node:
    if status.kind == "achievement":
        name = names.get(status.achievement or 0, f"achievement {status.achievement}")
        return Node(text=name, done=status.done, kind=status.kind,
                    value=1.0 if status.done else 0.0, maximum=1.0)
    children = [_node(child, names, settled or status.done) for child in status.children]
    if status.kind == "all_of":
        total = len(children)
        return Node(text=gettext("All of:"), done=status.done, kind=status.kind,
                    value=status.count_done, maximum=total, children=children,
                    progress_label=gettext("%(done)s of %(total)s done")
                    % {"done": status.count_done, "total": total})
    if status.kind == "at_least":
        needed = status.needed or 0
        return Node(text=gettext("At least %(needed)s of:") % {"needed": needed},
                    done=status.done, kind=status.kind,
                    value=min(status.count_done, needed), maximum=needed, children=children,
                    progress_label=gettext("%(done)s of %(total)s done")
                    % {"done": min(status.count_done, needed), "total": needed})
    needed_credits = status.credits_needed or 0.0
    text = gettext("At least %(credits)s credits from:") % {"credits": _fmt(needed_credits)}
    label = gettext("%(done)s of %(total)s credits; %(left)s still needed") % {
        "done": _fmt(status.credits), "total": _fmt(needed_credits),
        "left": _fmt(max(0.0, needed_credits - status.credits))}
    return Node(text=text, done=status.done, kind=status.kind,
                value=min(status.credits, needed_credits), maximum=needed_credits,
                children=children, progress_label=label)


def _credits_still_needed(status: catalog_rules.NodeStatus,
                          credits_of: dict[int, float]) -> float:
    """Credits of what is still missing: credit groups say it; otherwise the missing parts'."""
    if status.done:
        return 0.0
    if status.kind == "achievement":
        return credits_of.get(status.achievement or 0, 0.0)
    if status.kind == "credits_at_least":
        return max(0.0, (status.credits_needed or 0.0) - status.credits)
    open_children = [c for c in status.children if not c.done]
    costs = sorted(_credits_still_needed(c, credits_of) for c in open_children)
    if status.kind == "at_least":
        return sum(costs[:max(0, (status.needed or 0) - status.count_done)])
    return sum(costs)


def _still_missing(status: catalog_rules.NodeStatus) -> list[int]:
    """Components under groups that are not done yet (a done group's other options are not
    missing, unlike `RuleResult.missing`)."""
    if status.done:
        return []
    if status.kind == "achievement":
        return [status.achievement] if status.achievement is not None else []
    return [i for child in status.children for i in _still_missing(child)]


def progress(user: Any, record: Sequence[Item] | None = None) -> list[Progress]:
    """Every microdegree the learner has started (holds a valid component of), evaluated with
    `catalog.rules.evaluate` over the learner's valid platform credentials at its institution."""
    record = items(user) if record is None else record
    valid = [i.obj for i in record if i.kind == "platform" and i.valid]
    held_degrees = {i.obj.achievement_version.definition_id for i in record
                    if i.kind == "platform" and i.is_microdegree and i.state != "revoked"}
    seen: dict[int, AchievementVersion] = {}
    for cred in valid:
        assert isinstance(cred, IssuedCredential)
        for version in pathways_containing(cred.achievement_version.definition):
            seen.setdefault(version.definition_id, version)
    out = []
    for version in sorted(seen.values(), key=lambda v: (v.name.lower(), v.pk)):
        if not version.rule:
            continue
        institution = version.definition.institution
        mine = [c for c in valid if isinstance(c, IssuedCredential)
                and c.institution_id == institution.pk]
        holdings = _holdings(mine)
        result = catalog_rules.evaluate(version.rule, holdings)
        names = {k: v.rsplit(" (", 1)[0] for k, v in rule_names(institution).items()}
        credits_of = _definition_credits(catalog_rules.achievement_ids(version.rule))
        out.append(Progress(
            version=version, complete=result.satisfied,
            held=version.definition_id in held_degrees,
            tree=_node(result.root, names),
            credits_held=float(sum(holdings.get(i, 0.0) for i in result.root.used)),
            credits_needed=_credits_still_needed(result.root, credits_of),
            missing=[names.get(i, str(i)) for i in dict.fromkeys(_still_missing(result.root))],
        ))
    return out


def _definition_credits(ids: Sequence[int]) -> dict[int, float]:
    out = {}
    for definition in AchievementDefinition.objects.filter(pk__in=list(ids)):
        latest = definition.versions.order_by("-number").first()
        out[definition.pk] = float(latest.credits_available or 0.0) if latest else 0.0
    return out


# --- sharing --------------------------------------------------------------------------------


def hidden_from_public(credential: IssuedCredential) -> bool:
    """Whether a learner holding this credential chose that its public page is not public
    ("by link only" or "hidden"): the page and its address answer 404 to the public
    (verification of the document itself is never affected)."""
    return (CredentialPreference.objects.filter(credential=credential)
            .exclude(visibility=PUBLIC).exists())


def share_url(preference: CredentialPreference) -> str:
    return f"{settings.PUBLIC_URL}/share/{preference.share_token}"


def public_page_url(item: Item) -> str:
    return f"{settings.PUBLIC_URL}/credentials/{item.obj.uuid}"


def audience(item: Item) -> list[str]:
    """Who can see this credential now, in plain sentences (the record and its page say it)."""
    out = [gettext("You, signed in to your record.")]
    institution = getattr(item.obj, "institution", None)
    if institution is not None:
        out.append(gettext("Staff of %(institution)s, which issued it.")
                   % {"institution": institution.name})
    if item.public_page:
        out.append(gettext("Anyone with its public address."))
    if item.link_shared:
        out.append(gettext("Anyone you gave its share link to."))
    if item.addressed:
        out.append(gettext("Apps you connected to your record, and institutions you apply to "
                           "for credit with it."))
    out.append(gettext("Anyone you give the file to: they can verify it, whatever you choose "
                       "here."))
    return out


def visibility_label(item: Item) -> str:
    """The record's one-line answer to "who can see it?"."""
    if item.visibility == PUBLIC and item.kind == "platform":
        return gettext("Public: anyone with its address")
    if item.link_shared:
        return gettext("Only people with your share link")
    if item.visibility == LINK:
        return gettext("Only you (no share link yet)")
    return gettext("Hidden: only you and its issuer") if item.kind == "platform" else gettext(
        "Hidden: only you")


def linkedin_url(item: Item, public_url: str) -> str:
    """LinkedIn's add-to-profile link (certification) with name, issuer, dates, id and URL."""
    summary = item.summary
    issued = summary.awarded or summary.valid_from
    params: dict[str, str] = {
        "startTask": "CERTIFICATION_NAME",
        "name": summary.name or summary.achievement_name or "Credential",
        "organizationName": summary.issuer_name or "",
        "issueYear": str(issued.year) if issued else "",
        "issueMonth": str(issued.month) if issued else "",
        "expirationYear": str(summary.valid_until.year) if summary.valid_until else "",
        "expirationMonth": str(summary.valid_until.month) if summary.valid_until else "",
        "certUrl": public_url,
        "certId": summary.id or "",
    }
    return "https://www.linkedin.com/profile/add?" + urlencode(params)


def state_label(state: str) -> str:
    """A credential's state in words, in the reader's language (record pages, /worth)."""
    labels = {"valid": pgettext("credential state", "Valid"),
              "revoked": pgettext("credential state", "Revoked"),
              "suspended": pgettext("credential state", "Suspended"),
              "expired": pgettext("credential state", "Expired"),
              "not yet valid": pgettext("credential state", "Not yet valid"),
              "not verified": pgettext("credential state", "Not verified")}
    return labels.get(state, state[:1].upper() + state[1:])
