"""Every write to institutions, staff and keys: one transaction, one audit entry each."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from microdegree.audit.services import log_action
from microdegree.institutions.errors import Conflict, Invalid, NotFound, PermissionDenied
from microdegree.institutions.keystore import default_keystore
from microdegree.institutions.models import Institution, Membership, SigningKey
from microdegree.institutions.names import Similar, similar_names
from microdegree.vc import did as vc_did
from microdegree.vc.keys import Ed25519Key

Role = Membership.Role
ROLE_RANK = {Role.VIEWER: 0, Role.ISSUER: 1, Role.OWNER: 2}


def _snapshot(inst: Institution) -> dict[str, Any]:
    return {
        "slug": inst.slug, "name": inst.name, "status": inst.status, "suite": inst.suite,
        "did_method": inst.did_method,
        "country_code": inst.country_code, "url": inst.url, "language": inst.language,
    }


def key_context(key: SigningKey) -> bytes:
    """The associated data that binds a sealed signing key to its institution and key id."""
    return f"microdegree-signing-key:{key.institution_id}:{key.fragment}".encode()


_context = key_context


# --- access helpers -------------------------------------------------------------------------


def institution_for(user: Any, slug: str, *, role: str = "viewer") -> Institution:
    """The institution if `user` has at least `role` there (platform operators, i.e.
    superusers, see all); else 404/403.

    "Missing" and "not yours" are the same 404, so slugs of other tenants do not leak. Django's
    `is_staff` alone (admin-site access) grants no institution's data: only membership or
    superuser does (tests/issuing/test_permissions.py).
    """
    inst = Institution.objects.filter(slug=slug).first()
    if inst is None or not getattr(user, "is_authenticated", False):
        raise NotFound(_("No such institution."))
    if getattr(user, "is_superuser", False):
        return inst
    member = Membership.objects.filter(institution=inst, user=user).first()
    if member is None:
        raise NotFound(_("No such institution."))
    if ROLE_RANK[Role(member.role)] < ROLE_RANK[Role(role)]:
        raise PermissionDenied(_("This needs the %(role)s role at %(name)s.")
                               % {"role": role, "name": inst.name})
    return inst


def role_of(user: Any, inst: Institution) -> str | None:
    member = Membership.objects.filter(institution=inst, user=user).first()
    return member.role if member else None


def staff_addresses(inst: Institution, *, role: str = "issuer",
                    contact: bool = False) -> list[str]:
    """E-mail addresses of the institution's members with at least `role` (active accounts
    with an address), and its contact address when `contact`: who hears of work waiting."""
    wanted = [r for r, rank in ROLE_RANK.items() if rank >= ROLE_RANK[Role(role)]]
    addresses = set(Membership.objects.filter(
        institution=inst, role__in=wanted, user__is_active=True,
    ).exclude(user__email="").values_list("user__email", flat=True))
    if contact and inst.email:
        addresses.add(inst.email)
    return sorted(addresses)


# --- institutions ---------------------------------------------------------------------------


def similar_institutions(name: str, *, exclude: Institution | None = None
                         ) -> list[tuple[Institution, str]]:
    """Institutions whose name `name` duplicates or could be mistaken for (`names.py`), with
    "duplicate" or "confusable"; any status (a pending look-alike is as misleading)."""
    rows = Institution.objects.exclude(pk=exclude.pk if exclude else None).values_list(
        "pk", "name")
    found: list[Similar] = similar_names(name, rows)
    by_pk = Institution.objects.in_bulk([s.pk for s in found])
    return [(by_pk[s.pk], s.kind) for s in found if s.pk in by_pk]


@transaction.atomic
def register_institution(
    actor: AbstractBaseUser | None,
    *,
    name: str,
    country_code: str,
    owner: AbstractBaseUser,
    slug: str | None = None,
    **fields: Any,
) -> Institution:
    """A new institution, waiting for a platform admin; the owner can already set it up."""
    slug = slugify(slug or name)[:60]
    if not slug:
        raise Invalid(_("An institution needs a name."), code="NAME_REQUIRED")
    if Institution.objects.filter(slug=slug).exists():
        raise Conflict(_("The address %(slug)s is taken.")
                       % {"slug": repr(slug)}, code="SLUG_TAKEN")
    if len(country_code) != 2 or not country_code.isalpha():
        raise Invalid(_("The country is a two-letter ISO 3166 code."), code="COUNTRY_INVALID")
    if fields.get("did_method", "web") not in Institution.DidMethod.values:
        raise Invalid(_("The issuer id is did:web or did:key."), code="DID_METHOD_INVALID")
    similar = similar_institutions(name)
    inst = Institution.objects.create(
        slug=slug, name=name, country_code=country_code.upper(), **fields
    )
    Membership.objects.create(institution=inst, user=owner, role=Role.OWNER)
    _new_key(inst)
    after = _snapshot(inst)
    if similar:  # registered all the same (the registrant confirmed); the approver is warned
        after["similar_to"] = [{"slug": other.slug, "name": other.name, "kind": kind}
                               for other, kind in similar]
    log_action(actor or owner, "institution.registered", inst, institution_id=inst.pk,
               after=after)
    return inst


@transaction.atomic
def approve_institution(actor: Any, inst: Institution) -> Institution:
    if not getattr(actor, "is_staff", False):
        raise PermissionDenied(_("Only a platform administrator approves institutions."))
    before = _snapshot(inst)
    inst.status = Institution.Status.APPROVED
    inst.approved_at = timezone.now()
    inst.save(update_fields=["status", "approved_at"])
    log_action(actor, "institution.approved", inst, institution_id=inst.pk, before=before,
               after=_snapshot(inst))
    return inst


@transaction.atomic
def update_institution(actor: Any, inst: Institution, **fields: Any) -> Institution:
    allowed = {"name", "description", "url", "email", "country_code", "region", "locality",
               "quality_assurance", "suite", "approve_microdegrees", "did_method",
               "language"}
    unknown = set(fields) - allowed
    if unknown:
        raise Invalid(_("These fields cannot be changed: %(value)s.")
                      % {"value": ', '.join(sorted(unknown))})
    before = _snapshot(inst)
    for name, value in fields.items():
        setattr(inst, name, value)
    inst.full_clean()
    inst.save()
    log_action(actor, "institution.updated", inst, institution_id=inst.pk, before=before,
               after=_snapshot(inst))
    return inst


@transaction.atomic
def choose_did_method(actor: Any, inst: Institution, method: str) -> Institution:
    """An owner (or a platform admin) chooses the issuer id: did:web or the key's did:key.

    Credentials already issued keep the id they carry and keep verifying (did:key needs no
    server; did:web is served as long as the institution is approved). Why and what a key
    rotation means with did:key: docs/adr/0016-did-key-issuers.md.
    """
    if method not in Institution.DidMethod.values:
        raise Invalid(_("Unknown DID method %(method)s; use web or key.")
                      % {"method": repr(method)}, code="DID_METHOD_INVALID")
    if not getattr(actor, "is_superuser", False):
        institution_for(actor, inst.slug, role="owner")
    before = _snapshot(inst)
    inst.did_method = method
    inst.save(update_fields=["did_method"])
    log_action(actor, "institution.did_method_changed", inst, institution_id=inst.pk,
               before=before, after=_snapshot(inst))
    return inst


# --- staff ----------------------------------------------------------------------------------


@transaction.atomic
def set_member(actor: Any, inst: Institution, user: Any, role: str) -> Membership:
    if role not in Role.values:
        raise Invalid(_("Unknown role %(role)s.") % {"role": repr(role)}, code="ROLE_INVALID")
    member, created = Membership.objects.get_or_create(
        institution=inst, user=user, defaults={"role": role}
    )
    before = None if created else {"role": member.role}
    if not created:
        if member.role == "owner" and role != "owner":
            _keep_an_owner(inst, member)
        member.role = role
        member.save(update_fields=["role"])
    log_action(actor, "institution.member_set", member, institution_id=inst.pk, before=before,
               after={"user": str(user), "role": role})
    return member


def lock_institution(inst: Institution) -> None:
    """Serialise changes to one institution's staff or keys (inside the caller's transaction):
    two owners demoting each other at once must not leave it with none. FOR NO KEY UPDATE, so
    the foreign-key checks of concurrent inserts that name the institution are not blocked."""
    Institution.objects.select_for_update(no_key=True).filter(pk=inst.pk).first()


def _keep_an_owner(inst: Institution, leaving: Membership) -> None:
    lock_institution(inst)  # whoever calls set_member / remove_member: the check holds
    others = Membership.objects.filter(institution=inst, role=Role.OWNER).exclude(pk=leaving.pk)
    if not others.exists():
        raise Conflict(gettext("An institution needs at least one owner: make someone else "
                               "an owner first."), code="LAST_OWNER")


@transaction.atomic
def remove_member(actor: Any, inst: Institution, user: Any) -> None:
    member = Membership.objects.filter(institution=inst, user=user).first()
    if member is None:
        raise NotFound(_("That person is not a member."))
    if member.role == Role.OWNER:
        _keep_an_owner(inst, member)
    log_action(actor, "institution.member_removed", member, institution_id=inst.pk,
               before={"user": str(user), "role": member.role})
    member.delete()


# --- keys -----------------------------------------------------------------------------------


def _new_key(inst: Institution) -> SigningKey:
    key = Ed25519Key.generate()
    assert key.seed is not None
    number = inst.keys.count() + 1
    record = SigningKey(institution=inst, fragment=f"key-{number}",
                        public_multibase=key.public_multibase, sealed_secret=b"")
    record.sealed_secret = default_keystore().seal(key.seed, _context(record))
    record.save()
    return record


@transaction.atomic
def rotate_key(actor: Any, inst: Institution) -> SigningKey:
    """A new signing key; the old public keys stay in the DID document so old credentials verify."""
    lock_institution(inst)
    now = timezone.now()
    retired = list(inst.keys.filter(retired_at__isnull=True, revoked_at__isnull=True))
    inst.keys.filter(pk__in=[k.pk for k in retired]).update(retired_at=now)
    new = _new_key(inst)
    log_action(actor, "institution.key_rotated", new, institution_id=inst.pk,
               before={"active": [k.fragment for k in retired]},
               after={"active": new.fragment, "public": new.public_multibase})
    return new


def active_key(inst: Institution) -> SigningKey:
    key = inst.keys.filter(retired_at__isnull=True, revoked_at__isnull=True).last()
    if key is None:
        raise NotFound(_("The institution has no active signing key."), code="NO_SIGNING_KEY")
    return key


def signer_for(inst: Institution) -> tuple[Ed25519Key, str]:
    """The active private key (decrypted) and its verification method id."""
    return key_signer(active_key(inst))


def key_signer(record: SigningKey) -> tuple[Ed25519Key, str]:
    """This key's private key (decrypted, also when retired) and its verification method id."""
    return _open_key(record.pk, bytes(record.sealed_secret), _context(record)), \
        record.verification_method


@lru_cache(maxsize=256)
def _open_key(pk: int, sealed: bytes, context: bytes) -> Ed25519Key:
    del pk
    return Ed25519Key.from_seed(default_keystore().open(sealed, context))


def did_document(inst: Institution) -> dict[str, Any]:
    keys = [k for k in inst.keys.all() if k.revoked_at is None]
    return vc_did.did_web_document(
        inst.web_did, [(k.fragment, k.public_multibase) for k in keys],
    )


def get_institution(slug: str) -> Institution:
    inst = Institution.objects.filter(slug=slug, status=Institution.Status.APPROVED).first()
    if inst is None:
        raise NotFound(_("No such institution."))
    return inst
