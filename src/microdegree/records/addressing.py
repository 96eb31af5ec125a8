"""Whether a credential is addressed to a learner: its subject names one of their confirmed
e-mail addresses (an `emailAddress` IdentityObject, salted `sha256$` hash or plain, or a
`mailto:` subject id) or their DID (the subject's `id`, or an IdentityObject of it).

Imported credentials that name someone else stay in the record marked "not addressed to you"
and are never vouched for by the platform: not in a CLR it signs, the OB API listing, a share
page or a credit application. Framework-free (the migration that fills the flag uses it too).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from microdegree.records.achievement_fields import as_list
from microdegree.vc.builders.identity import identity_matches


def names_holder(document: Any, emails: Iterable[str], dids: Iterable[str] = ()) -> bool:
    if not isinstance(document, dict):
        return False
    emails = [e.strip().lower() for e in emails if e]
    dids = [d for d in dids if d]
    for subject in as_list(document.get("credentialSubject")):
        if not isinstance(subject, dict):
            continue
        subject_id = subject.get("id")
        if isinstance(subject_id, str) and (
                subject_id in dids
                or (subject_id.lower().startswith("mailto:")
                    and subject_id[7:].strip().lower() in emails)):
            return True
        for identity in as_list(subject.get("identifier")):
            if not isinstance(identity, dict):
                continue
            wanted = emails if identity.get("identityType") == "emailAddress" else dids
            if any(identity_matches(identity, value) for value in wanted):
                return True
    return False
