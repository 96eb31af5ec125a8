"""Institutions, staff roles, encrypted keys, rotation and the did:web document."""

from __future__ import annotations

import json

import pytest

from microdegree.audit.models import AuditEntry
from microdegree.institutions import services
from microdegree.institutions.errors import Conflict, NotFound, PermissionDenied
from microdegree.institutions.models import Institution, SigningKey
from microdegree.vc import did as vc_did
from microdegree.vc import proofs
from microdegree.vc.verify import verify
from tests.samples import sample_credential

pytestmark = pytest.mark.django_db


def test_registration_waits_for_a_platform_admin(make_user, admin_user):
    owner = make_user()
    inst = services.register_institution(owner, name="Micro College", country_code="de",
                                         owner=owner)
    assert inst.slug == "micro-college"
    assert inst.status == Institution.Status.PENDING
    assert inst.country_code == "DE"
    with pytest.raises(NotFound):
        services.get_institution("micro-college")  # not public before approval
    with pytest.raises(PermissionDenied):
        services.approve_institution(owner, inst)
    services.approve_institution(admin_user, inst)
    assert services.get_institution("micro-college") == inst
    actions = list(AuditEntry.objects.filter(object_id=str(inst.pk)).values_list("action",
                                                                                 flat=True))
    assert "institution.registered" in actions
    assert "institution.approved" in actions


def test_slugs_are_unique(make_user):
    owner = make_user()
    services.register_institution(owner, name="Same", country_code="NL", owner=owner)
    with pytest.raises(Conflict):
        services.register_institution(owner, name="Same", country_code="NL", owner=owner)


def test_roles_and_tenant_isolation(institution, make_user):
    viewer, outsider = make_user(), make_user()
    services.set_member(None, institution, viewer, "viewer")
    assert services.institution_for(viewer, institution.slug) == institution
    with pytest.raises(PermissionDenied):
        services.institution_for(viewer, institution.slug, role="issuer")
    # an outsider gets the same 404 as for a slug that does not exist
    with pytest.raises(NotFound) as missing:
        services.institution_for(outsider, "no-such-slug")
    with pytest.raises(NotFound) as not_yours:
        services.institution_for(outsider, institution.slug)
    assert str(missing.value) == str(not_yours.value)


def test_the_last_owner_cannot_leave(institution):
    owner = institution.members.get(role="owner").user
    with pytest.raises(Conflict):
        services.remove_member(owner, institution, owner)


def test_private_keys_are_encrypted_at_rest(institution):
    record = SigningKey.objects.get(institution=institution)
    key, vm = services.signer_for(institution)
    assert vm == f"{institution.did}#key-1"
    assert key.public_multibase == record.public_multibase
    sealed = bytes(record.sealed_secret)
    assert key.seed is not None
    assert key.seed not in sealed  # the database row alone does not reveal the key
    # a sealed key copied onto another row does not open (bound to institution and key id)
    from microdegree.institutions.keystore import default_keystore

    with pytest.raises(Exception):  # noqa: B017 - cryptography's InvalidTag
        default_keystore().open(sealed, b"microdegree-signing-key:999:key-1")


def test_did_document_is_served_with_cors(client, institution):
    response = client.get(f"/issuers/{institution.slug}/did.json")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    doc = json.loads(response.content)
    assert doc["id"] == institution.did
    assert doc["assertionMethod"] == [f"{institution.did}#key-1"]
    assert client.get("/issuers/nope/did.json").status_code == 404


def test_rotation_keeps_old_credentials_verifying(client, institution):
    key, vm = services.signer_for(institution)
    old = proofs.sign(sample_credential(institution.did, status_list=None), key,
                      verification_method=vm)
    services.rotate_key(None, institution)
    new_key, new_vm = services.signer_for(institution)
    assert new_vm.endswith("#key-2")
    assert new_key.public != key.public
    new = proofs.sign(sample_credential(institution.did, status_list=None), new_key,
                      verification_method=new_vm)
    served = json.loads(client.get(f"/issuers/{institution.slug}/did.json").content)
    assert len(served["verificationMethod"]) == 2
    resolver = vc_did.StaticResolver({institution.did: served})
    assert verify(old, resolver=resolver).verified
    assert verify(new, resolver=resolver).verified
    assert AuditEntry.objects.filter(action="institution.key_rotated").count() == 1
