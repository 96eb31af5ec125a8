"""Awarding, revoking, suspending: every write here runs in one transaction with an audit entry.

Layers (the bulk-issuance jobs build on the lower ones), one module each:

- `building.build_credential(...)`: pure; the unsigned OB 3.0 AchievementCredential.
- `prepare.prepare_signer(inst)`: decrypt the institution's key once per batch.
- `prepare.prepare_issue(version, rows, signer=...)`: validate rows (`rows`), allocate status
  indices in bulk (one short locked transaction per purpose), build and sign; returns
  JSON-serialisable dicts (a job may persist them and store later).
- `awarding.store_issued(actor, version, prepared)`: one transaction: idempotency re-check, bulk
  insert (`batch`), mark the version awarded, audit (`issued_audit`), e-mail after commit,
  pathway check (`pathways`).
- `awarding.issue_credential(...)` / `issue_many(...)`: the two above in one transaction.
- `limits`: credits and a result within what the achievement offers (every path above).
- `status`: `revoke`, `suspend`, `unsuspend`, `reissue`; `approvals`: `approve_microdegree`,
  `reject_microdegree`; `access`: credentials for a user; `tokens`: API tokens.

Every public name is importable from here (`from microdegree.issuing.services import ...`).
"""

from microdegree.issuing.services._common import (
    State,
    add_months,
    embed_suspension,
    normalise_email,
)
from microdegree.issuing.services.access import (
    credential_by_uuid_for,
    credential_for,
    resend_award_email,
)
from microdegree.issuing.services.approvals import approve_microdegree, reject_microdegree
from microdegree.issuing.services.awarding import (
    issue_credential,
    issue_many,
    pathway_check,
    store_issued,
)
from microdegree.issuing.services.building import build_credential, use_templates
from microdegree.issuing.services.limits import (
    AchievementLimits,
    OutsideAchievement,
    achievement_limits,
    claim_sentence,
)
from microdegree.issuing.services.pathways import valid_credentials
from microdegree.issuing.services.prepare import Signer, prepare_issue, prepare_signer
from microdegree.issuing.services.rows import AwardRow, PreparedAward, validate_row
from microdegree.issuing.services.status import reissue, revoke, suspend, unsuspend
from microdegree.issuing.services.tokens import (
    TOKEN_PREFIX,
    create_api_token,
    revoke_api_token,
    token_from,
)

__all__ = [
    "TOKEN_PREFIX",
    "AchievementLimits",
    "AwardRow",
    "OutsideAchievement",
    "PreparedAward",
    "Signer",
    "State",
    "achievement_limits",
    "add_months",
    "approve_microdegree",
    "build_credential",
    "claim_sentence",
    "create_api_token",
    "credential_by_uuid_for",
    "credential_for",
    "embed_suspension",
    "issue_credential",
    "issue_many",
    "normalise_email",
    "pathway_check",
    "prepare_issue",
    "prepare_signer",
    "reissue",
    "reject_microdegree",
    "resend_award_email",
    "revoke",
    "revoke_api_token",
    "store_issued",
    "suspend",
    "token_from",
    "unsuspend",
    "use_templates",
    "valid_credentials",
    "validate_row",
]
