"""Reading for the API: the learner's credentials as the OB API serves them (verbatim, newest
first, one page at a time), the learner's OB Profile, and the paging headers.

Documents are never re-serialised: a JSON credential's stored text is spliced into the response
body as it is, so what a client upserted comes back byte for byte; a VC-JWT goes into
`compactJwsString`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings

from microdegree.records import record as record_mod
from microdegree.records.models import ImportedCredential


@dataclass(frozen=True)
class Entry:
    issued: datetime
    text: str  # the credential exactly as stored (JSON text or compact JWS)
    jws: bool
    order: tuple[int, int]  # a stable tie-break: (0 platform / 1 imported, id)


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _issued(document: dict[str, Any], fallback: datetime) -> datetime:
    for name in ("validFrom", "issuanceDate", "awardedDate"):
        found = _parse_time(document.get(name))
        if found is not None:
            return found
    return fallback


def entries(user: Any) -> list[Entry]:
    """Every credential of the learner's record addressed to them, newest issued first."""
    out = [Entry(issued=c.issued_at, text=c.document, jws=False, order=(0, c.pk))
           for c in record_mod.platform_credentials(user)]
    # an import that names someone else stays in the record, marked, but is not served as
    # the learner's (records.addressing)
    for imp in ImportedCredential.objects.filter(user=user, addressed=True):
        decoded = imp.decoded if isinstance(imp.decoded, dict) else {}
        out.append(Entry(issued=_issued(decoded, imp.imported_at), text=imp.document.strip(),
                         jws=imp.format == "jwt", order=(1, imp.pk)))
    out.sort(key=lambda e: (e.issued, e.order), reverse=True)
    return out


def body(page: list[Entry]) -> bytes:
    """`{"credential": [...], "compactJwsString": [...]}` with the documents spliced verbatim."""
    docs = ",".join(e.text for e in page if not e.jws)
    jws = ",".join(json.dumps(e.text) for e in page if e.jws)
    return f'{{"credential":[{docs}],"compactJwsString":[{jws}]}}'.encode()


def link_header(base: str, *, limit: int, offset: int, total: int,
                extra: dict[str, str]) -> str:
    """RFC 8288 links: first and last always, next and prev when there are such pages."""

    def url(at: int) -> str:
        return f"{base}?{urlencode({**extra, 'limit': limit, 'offset': at})}"

    last = max(0, ((total - 1) // limit) * limit) if total else 0
    links = [f'<{url(0)}>; rel="first"', f'<{url(last)}>; rel="last"']
    if offset + limit < total:
        links.append(f'<{url(offset + limit)}>; rel="next"')
    if offset > 0:
        links.append(f'<{url(max(0, min(offset, total) - limit))}>; rel="prev"')
    return ", ".join(links)


def profile(user: Any) -> dict[str, Any]:
    """The learner as an OB Profile: a stable id, name, verified e-mail address."""
    emails = record_mod.verified_emails(user)
    doc: dict[str, Any] = {
        "id": f"{settings.PUBLIC_URL}/ims/ob/v3p0/profile/{user.pk}",
        "type": "Profile",
    }
    name = user.get_full_name().strip()
    if name:
        doc["name"] = name
    if user.first_name:
        doc["givenName"] = user.first_name
    if user.last_name:
        doc["familyName"] = user.last_name
    if emails:
        doc["email"] = emails[0]
    return doc
