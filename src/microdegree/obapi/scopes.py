"""The four OB 3.0 API scopes, and what each means in plain words (for the consent page)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

PREFIX = "https://purl.imsglobal.org/spec/ob/v3p0/scope/"
CREDENTIAL_READ = f"{PREFIX}credential.readonly"
CREDENTIAL_UPSERT = f"{PREFIX}credential.upsert"
PROFILE_READ = f"{PREFIX}profile.readonly"
PROFILE_UPDATE = f"{PREFIX}profile.update"

ALL = (CREDENTIAL_READ, CREDENTIAL_UPSERT, PROFILE_READ, PROFILE_UPDATE)

PLAIN_WORDS = {
    CREDENTIAL_READ: _("See every credential in your record (issued here and imported)."),
    CREDENTIAL_UPSERT: _("Add credentials to your record, or replace ones it added before. "
                         "Each is verified first."),
    PROFILE_READ: _("See your name and your verified e-mail address."),
    PROFILE_UPDATE: _("Change the name on your record."),
}

SPEC_WORDS = {  # the spec's own descriptions (discovery document)
    CREDENTIAL_READ: "Permission to read AchievementCredentials for the authenticated entity.",
    CREDENTIAL_UPSERT: "Permission to create or update AchievementCredentials for the "
                       "authenticated entity.",
    PROFILE_READ: "Permission to read the profile for the authenticated entity.",
    PROFILE_UPDATE: "Permission to update the profile for the authenticated entity.",
}


def describe(scope_string: str) -> list[tuple[str, str]]:
    """(scope, plain words) for each known scope in a space-separated scope string."""
    return [(s, str(PLAIN_WORDS[s])) for s in scope_string.split() if s in PLAIN_WORDS]
