"""Every write of the learner's side, each in one transaction with an audit entry.

Accounts: `request_login_link` (rate limited, e-mails a 15-minute single-use link),
`sign_in_with_link`, `add_email` / `verify_email`, `claim_with_token` (an award e-mail's claim
link). Record: `import_credential` (`imports`), `set_preference` (who can see a credential,
ADR 0027), `new_share_link`. Leaving: `export_data`,
`delete_account`. Re-issue requests (`reissue`), the learner's DID (`dids`).
Learner data is only reached through `record.owned_credential` / `record.owned_import`, which
answer None alike for "missing" and "not yours".

Every public name is importable from here (`from microdegree.records.services import ...`).
"""

from microdegree.records.services.accounts import (
    MAX_EMAILS,
    PREFERENCE_FIELDS,
    ClaimOutcome,
    NotAddressed,
    RecordError,
    add_email,
    claim_ready,
    claim_target,
    claim_with_token,
    delete_account,
    export_clr,
    export_data,
    login_url,
    new_share_link,
    owned,
    refresh_addressed,
    remove_email,
    request_login_link,
    set_preference,
    shared,
    sign_in_with_link,
    verify_email,
    verify_url,
)
from microdegree.records.services.dids import (
    bind_did,
    did_for_email,
    unbind_did,
)
from microdegree.records.services.imports import (
    ImportResult,
    import_credential,
    import_exists,
    import_from_url,
    recheck_import,
    remove_import,
    state_of,
)
from microdegree.records.services.reissue import (
    decide_reissue,
    request_reissue,
)
from microdegree.records.services.settings import (
    learner_address,
    learner_language,
    set_language,
)

__all__ = [
    "MAX_EMAILS",
    "PREFERENCE_FIELDS",
    "ClaimOutcome",
    "ImportResult",
    "NotAddressed",
    "RecordError",
    "add_email",
    "bind_did",
    "claim_ready",
    "claim_target",
    "claim_with_token",
    "decide_reissue",
    "delete_account",
    "did_for_email",
    "export_clr",
    "export_data",
    "import_credential",
    "import_exists",
    "import_from_url",
    "learner_address",
    "learner_language",
    "login_url",
    "new_share_link",
    "owned",
    "recheck_import",
    "refresh_addressed",
    "remove_email",
    "remove_import",
    "request_login_link",
    "request_reissue",
    "set_language",
    "set_preference",
    "shared",
    "sign_in_with_link",
    "state_of",
    "unbind_did",
    "verify_email",
    "verify_url",
]
