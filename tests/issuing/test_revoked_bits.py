"""Issue 14 point 8: a revoked credential's bits (docs/adr/0006, amendment).

Revocation is final and reads "not valid" in every list the credential is in: revoking sets the
revocation bit AND the suspension bit, whatever the state before (active or suspended), and
nothing clears them. Checked where a verifier looks: the signed status list credentials served
at /status/..., fetched over HTTP from the live server and decoded.
"""

from __future__ import annotations

import json
import urllib.request

import pytest
from django.core.management import call_command
from django.db import transaction

from microdegree.audit.models import AuditEntry
from microdegree.issuing import services as issuing_services
from microdegree.issuing import statuslists
from microdegree.issuing.models import IssuedCredential
from microdegree.vc.status import decode
from microdegree.vcapi.models import ApiCredential

pytestmark = pytest.mark.django_db(transaction=True)

VC_V2 = "https://www.w3.org/ns/credentials/v2"


def _post(url, body, token):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json",
                                              "Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, json.loads(response.read())


def _served_bit(live_server, status_list, index):
    """The bit as a verifier reads it: the served list credential's encodedList."""
    path = status_list.url.split("/status/", 1)[1]
    with urllib.request.urlopen(f"{live_server.url}/status/{path}", timeout=30) as response:
        listed = json.loads(response.read())
    assert listed["credentialSubject"]["statusPurpose"] == status_list.purpose
    return decode(listed["credentialSubject"]["encodedList"]).get(index)


def _served(live_server, row):
    row.refresh_from_db()
    return (_served_bit(live_server, row.status_list, row.status_index),
            _served_bit(live_server, row.suspension_list, row.suspension_index))


@pytest.fixture
def token(institution):
    return issuing_services.create_api_token(None, institution, "lms", role="issuer")[1]


def _change(live_server, token, credential_id, status):
    code, body = _post(f"{live_server.url}/credentials/status", {
        "credentialId": credential_id,
        "credentialStatus": [{"type": "BitstringStatusListCredential", "status": status}],
    }, token)
    assert code == 200, body
    return body["state"]


def test_suspend_then_revoke_through_the_vc_api(live_server, token, institution):
    code, body = _post(f"{live_server.url}/credentials/issue", {
        "credential": {"@context": [VC_V2], "type": ["VerifiableCredential"],
                       "credentialSubject": {"id": "did:example:ada"}},
        "options": {"credentialStatus": {"type": "BitstringStatusListEntry",
                                         "statusPurpose": ["revocation", "suspension"]}},
    }, token)
    assert code == 201, body
    credential_id = body["verifiableCredential"]["id"]
    row = ApiCredential.objects.get(credential_id=credential_id)
    assert _served(live_server, row) == (0, 0)
    assert _change(live_server, token, credential_id, "suspended") == "suspended"
    assert _served(live_server, row) == (0, 1)
    assert _change(live_server, token, credential_id, "revoked") == "revoked"
    assert _served(live_server, row) == (1, 1)


@pytest.mark.parametrize("suspend_first", [True, False])
def test_a_revoked_platform_credential_reads_revoked_and_suspended(
        live_server, token, course, suspend_first):
    cred = issuing_services.issue_credential(None, course, recipient_email="ada@example.org",
                                             send_email=False)
    if suspend_first:
        _change(live_server, token, cred.credential_id, "suspended")
        assert _served(live_server, cred) == (0, 1)
    _change(live_server, token, cred.credential_id, "revoked")
    assert _served(live_server, cred) == (1, 1)  # the same bits, whichever way it got there


def test_the_repair_command_sets_the_bits_of_credentials_revoked_before(live_server, course):
    creds = issuing_services.issue_many(
        None, course, [{"recipient_email": f"p{n}@example.org"} for n in range(3)],
        send_email=False)
    for cred in creds[:2]:
        issuing_services.revoke(None, cred, "Wrong course")
        with transaction.atomic():  # what revocation left behind before the amendment
            statuslists.set_status(cred.suspension_list, cred.suspension_index, 0)
    assert [_served(live_server, c) for c in creds] == [(1, 0), (1, 0), (0, 0)]
    call_command("repair_status_lists", "--dry-run")
    assert [_served(live_server, c) for c in creds] == [(1, 0), (1, 0), (0, 0)]
    call_command("repair_status_lists")
    assert [_served(live_server, c) for c in creds] == [(1, 1), (1, 1), (0, 0)]
    assert AuditEntry.objects.filter(action="statuslist.repaired").count() == 1
    call_command("repair_status_lists")  # nothing left to do: no second write
    assert AuditEntry.objects.filter(action="statuslist.repaired").count() == 1
    assert IssuedCredential.objects.filter(state="revoked").count() == 2
