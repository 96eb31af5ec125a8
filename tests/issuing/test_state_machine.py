"""One state machine for every stored credential (`statuslists.move_to`): revoked is final,
suspend only what is not suspended, unsuspend only what is; the bits follow the state (revoking
sets both, ADR 0006 amendment), and a refused move changes nothing."""

from __future__ import annotations

import pytest
from django.db import transaction

from microdegree.issuing import services, statuslists
from microdegree.issuing.errors import Conflict
from microdegree.issuing.models import IssuedCredential

pytestmark = pytest.mark.django_db

ALLOWED = {
    ("active", "revoked"), ("active", "suspended"),
    ("suspended", "revoked"), ("suspended", "active"),
}


def _bits(cred):
    cred = IssuedCredential.objects.select_related("status_list", "suspension_list").get(
        pk=cred.pk)
    revocation = statuslists._bitstring(cred.status_list.bits).get(cred.status_index)
    suspension = statuslists._bitstring(cred.suspension_list.bits).get(cred.suspension_index)
    return revocation, suspension


@pytest.mark.parametrize("start", ["active", "suspended", "revoked"])
@pytest.mark.parametrize("target", ["active", "suspended", "revoked"])
def test_every_move(course, start, target):
    [cred] = services.issue_many(None, course, [{"recipient_email": "a@example.org"}],
                                 send_email=False)
    if start != "active":
        with transaction.atomic():
            locked = IssuedCredential.objects.select_for_update().get(pk=cred.pk)
            statuslists.move_to(locked, start)
            locked.save()
    before = _bits(cred)
    with transaction.atomic():
        locked = IssuedCredential.objects.select_for_update().get(pk=cred.pk)
        if (start, target) not in ALLOWED:
            with pytest.raises(Conflict):
                statuslists.move_to(locked, target)
            assert _bits(cred) == before
            return
        statuslists.move_to(locked, target)
        locked.save()
    assert IssuedCredential.objects.get(pk=cred.pk).state == target
    # the bits are a function of the state; revoked reads revoked AND suspended (ADR 0006)
    assert _bits(cred) == {"active": (0, 0), "suspended": (0, 1), "revoked": (1, 1)}[target]
