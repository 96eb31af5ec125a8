"""The issuer registry: platform institutions, the operator's trusted list, unknown issuers."""

from __future__ import annotations

import json

import pytest

from microdegree.institutions import services as inst_services
from microdegree.verification.registry import PLATFORM_REGISTRY, platform_registry

pytestmark = pytest.mark.django_db


def test_approved_platform_institution_is_known(institution):
    entry = platform_registry().lookup(institution.did)
    assert entry is not None
    assert (entry.name, entry.registry) == ("Example University", PLATFORM_REGISTRY)


def test_pending_institution_is_not_known(make_user):
    owner = make_user("o@pending.example")
    pending = inst_services.register_institution(owner, name="Pending College",
                                                 country_code="FR", owner=owner)
    assert platform_registry().lookup(pending.did) is None


def test_operator_list_of_dids_and_objects(tmp_path, settings, institution):
    path = tmp_path / "trusted.json"
    path.write_text(json.dumps(["did:web:partner.example",
                                {"id": "did:key:z6MkExample", "name": "Partner Academy"}]))
    settings.MICRODEGREE_TRUSTED_ISSUERS_FILE = str(path)
    registry = platform_registry()
    first = registry.lookup("did:web:partner.example")
    assert first is not None
    assert first.registry == "operator trusted list (trusted.json)"
    second = registry.lookup("did:key:z6MkExample")
    assert second is not None
    assert second.name == "Partner Academy"
    assert registry.lookup(institution.did).registry == PLATFORM_REGISTRY
    assert registry.lookup("did:web:stranger.example") is None
    # the file is re-read when it changes
    path.write_text(json.dumps(["did:web:stranger.example", "did:web:x.example"]))
    assert platform_registry().lookup("did:web:stranger.example") is not None


def test_unusable_operator_file_is_ignored(tmp_path, settings):
    path = tmp_path / "bad.json"
    path.write_text("{not json")
    settings.MICRODEGREE_TRUSTED_ISSUERS_FILE = str(path)
    assert platform_registry().lookup("did:web:partner.example") is None
    settings.MICRODEGREE_TRUSTED_ISSUERS_FILE = str(tmp_path / "missing.json")
    assert platform_registry().lookup("did:web:partner.example") is None


def test_unknown_issuer():
    assert platform_registry().lookup("did:web:unknown.example") is None
    assert platform_registry().lookup("did:web:localhost%3A8000:issuers:") is None
