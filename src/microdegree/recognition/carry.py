"""What "What is it worth?" hands to the credit application: the credentials the visitor chose.

Kept in the server-side session (never in the page, never in hidden form fields), so it
survives signing in by e-mailed link in the same browser, and is read back only for:

* record keys: only by the same signed-in learner who chose them, and only those still in
  their record's choices (the apply form refuses any other key);
* uploaded or pasted credentials: their verbatim text, at most `MAX_CHARS` in all (more is not
  carried; the learner uploads again). The application verifies them once more, including
  that they name the applicant (`checking`), so a carried upload is never trusted.

Nothing here is stored beyond the session; a new question on /worth replaces it, an
application started with it clears it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext

SESSION_KEY = "recognition.worth_carry"
MAX_CHARS = 300_000  # all carried credential texts together (the session stays small)


@dataclass
class Carried:
    keys: list[str] = field(default_factory=list)
    uploads: list[str] = field(default_factory=list)
    dropped: bool = False  # uploads were too large to carry

    def __bool__(self) -> bool:
        return bool(self.keys or self.uploads or self.dropped)


def _user_id(user: Any) -> int | None:
    return user.pk if getattr(user, "is_authenticated", False) else None


def stash(session: Any, user: Any, *, keys: list[str], uploads: list[str]) -> Carried:
    """Keep the choice of one /worth question (replacing any earlier one)."""
    texts = [t for t in uploads if t.strip()]
    dropped = sum(len(t) for t in texts) > MAX_CHARS
    if dropped:
        texts = []
    session[SESSION_KEY] = {"user": _user_id(user), "keys": [str(k) for k in keys][:50],
                            "uploads": texts, "dropped": dropped}
    return Carried(keys=list(keys), uploads=texts, dropped=dropped)


def carried(session: Any, user: Any) -> Carried:
    """What the last /worth question carries for `user` now (record keys only for the learner
    who chose them)."""
    data = session.get(SESSION_KEY)
    if not isinstance(data, dict):
        return Carried()
    same = data.get("user") is not None and data.get("user") == _user_id(user)
    keys = [k for k in data.get("keys") or [] if isinstance(k, str)] if same else []
    uploads = [t for t in data.get("uploads") or [] if isinstance(t, str)]
    return Carried(keys=keys, uploads=uploads, dropped=bool(data.get("dropped")))


def clear(session: Any) -> None:
    session.pop(SESSION_KEY, None)


def names(uploads: list[str]) -> list[str]:
    """A name for each carried upload, for the apply page (its JSON `name`, else a kind)."""
    out = []
    for text in uploads:
        try:
            document = json.loads(text)
        except ValueError:
            out.append(gettext("A credential (VC-JWT)") if text.count(".") == 2
                       else gettext("A credential"))
            continue
        name = document.get("name") if isinstance(document, dict) else None
        out.append(name if isinstance(name, str) and name.strip()
                   else gettext("A credential"))
    return out
