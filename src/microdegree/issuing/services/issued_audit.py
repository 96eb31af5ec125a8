"""The audit entry of an issued credential, defined once for its three writers.

`ENTRY` says, field by field, what the "issuing.credential_issued" entry holds (besides who and
when, which each writer takes from the actor and the clock as `log_action` does): a constant, or
what it copies from the credential. Every writer reads it:

- `write_one`: one credential, through `log_action` (the ORM);
- `write_rows`: a batch as Python rows (`copyinsert.insert_rows`: `bulk_create`, or COPY on
  PostgreSQL);
- `write_in_database`: a batch built by PostgreSQL from the credential rows just inserted
  (`INSERT ... SELECT`, no Python work per credential; `ENTRY` rendered as SQL).

`write` picks one: bulk issuance on a server would be dominated by one statement per entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.utils import timezone

from microdegree.audit.models import AuditEntry
from microdegree.audit.services import actor_label, log_action
from microdegree.institutions.models import Institution
from microdegree.issuing import copyinsert
from microdegree.issuing.models import IssuedCredential

ACTION = "issuing.credential_issued"

#: The entry's `after` object: each key with the `IssuedCredential` attribute it copies.
AFTER: tuple[tuple[str, str], ...] = (
    ("credential_id", "credential_id"),
    ("achievement_version", "achievement_version_id"),
    ("recipient", "recipient_email"),
    ("state", "state"),
)

#: The entry by `AuditEntry` attname: ("value", constant), ("pk", None) for the credential's
#: id as text, ("attr", attname) for one of its attributes, ("after", AFTER) for the object.
ENTRY: dict[str, tuple[str, Any]] = {
    "action": ("value", ACTION),
    "object_type": ("value", IssuedCredential._meta.label),
    "object_id": ("pk", None),
    "institution_id": ("attr", "institution_id"),
    "before": ("value", None),
    "after": ("after", AFTER),
    "note": ("value", ""),
}


def fields(cred: IssuedCredential) -> dict[str, Any]:
    """The entry's values for `cred` (`log_action`'s keyword arguments), from `ENTRY`."""
    out: dict[str, Any] = {}
    for name, (kind, arg) in ENTRY.items():
        if kind == "value":
            out[name] = arg
        elif kind == "pk":
            out[name] = str(cred.pk)
        elif kind == "attr":
            out[name] = getattr(cred, arg)
        else:
            out[name] = {key: getattr(cred, attname) for key, attname in arg}
    return out


def write(actor: Any, inst: Institution, creds: Sequence[IssuedCredential]) -> None:
    """One entry per credential: `log_action` for one, one statement for a batch."""
    if len(creds) == 1:
        write_one(actor, creds[0])
    elif connection.vendor == "postgresql":
        write_in_database(actor, inst, creds)
    else:
        write_rows(actor, creds)


def write_one(actor: Any, cred: IssuedCredential) -> None:
    log_action(actor, **fields(cred))


def _actor_values(actor: Any) -> dict[str, Any]:
    """The actor as `log_action` records it: the signed-in user, and a label in any case."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    return {"actor_id": user.pk if user is not None else None, "actor_label": actor_label(actor)}


def write_rows(actor: Any, creds: Sequence[IssuedCredential]) -> None:
    who = _actor_values(actor)
    copyinsert.insert_rows(AuditEntry, [
        copyinsert.new_instance(AuditEntry, {**who, **fields(cred)}) for cred in creds
    ])


def write_in_database(actor: Any, inst: Institution, creds: Sequence[IssuedCredential]) -> None:
    """The entries built by PostgreSQL from the stored rows of `creds`, in pk order."""
    audit, meta = AuditEntry._meta, IssuedCredential._meta
    q = connection.ops.quote_name

    def column(attname: str) -> str:
        return "c." + q(meta.get_field(attname).column)

    who = _actor_values(actor)
    names = ["created_at", *who, *ENTRY]
    select, params = ["%s", "%s", "%s"], [timezone.now(), *who.values()]
    for kind, arg in ENTRY.values():
        if kind == "value" and arg is None:
            select.append("NULL")
        elif kind == "value":
            select.append("%s")
            params.append(arg)
        elif kind == "pk":
            select.append(f"{column('id')}::text")
        elif kind == "attr":
            select.append(column(arg))
        else:
            select.append("jsonb_build_object(" + ", ".join(
                f"%s::text, {column(attname)}" for _, attname in arg) + ")")
            params.extend(key for key, _ in arg)
    columns = ", ".join(q(audit.get_field(name).column) for name in names)
    # Only quoted names from the models' metadata are formatted in; every value is a parameter.
    # The rows are found by primary key only: with `institution_id = %s` beside it, PostgreSQL
    # (its statistics lagging behind a bulk job) picked the institution's index and filtered
    # every credential of the institution, per chunk: a cost growing with the job. The
    # institution's id is compared after the look-up (`+ 0`: not an index condition), so a
    # credential of another institution still gets no entry here and fails the count below.
    sql = (f"INSERT INTO {q(audit.db_table)} ({columns}) "  # noqa: S608
           f"SELECT {', '.join(select)} FROM {q(meta.db_table)} c "
           f"WHERE {column('id')} = ANY(%s) AND {column('institution_id')} + 0 = %s "
           f"ORDER BY {column('id')}")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, [x.pk for x in creds], inst.pk])
        assert cursor.rowcount == len(creds), "every stored credential gets its entry"
