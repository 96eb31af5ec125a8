"""The `demo` command: idempotent, and every credential it issues verifies."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from microdegree.vc.errors import FetchError
from microdegree.vc.fetch import FetchResponse

pytestmark = pytest.mark.django_db


class ClientFetcher:
    """Status lists read through the real status endpoint (the Django test client)."""

    def __init__(self, client) -> None:
        self.client = client

    def get(self, url: str, *, accept: str = "application/json") -> FetchResponse:
        if not url.startswith(settings.PUBLIC_URL + "/"):
            raise FetchError(f"could not connect to {url}", code="FETCH_FAILED")
        response = self.client.get(url[len(settings.PUBLIC_URL):], HTTP_ACCEPT=accept)
        if response.status_code != 200:
            raise FetchError(f"{url} answered {response.status_code}", code="FETCH_FAILED")
        return FetchResponse(url=url, status=200, content_type=response["Content-Type"],
                             body=response.content, headers=dict(response.headers))


def _counts():
    from django.contrib.auth import get_user_model

    from microdegree.audit.models import AuditEntry
    from microdegree.catalog.models import AchievementDefinition, Competency
    from microdegree.institutions.models import Institution, Membership
    from microdegree.issuing.models import ApiToken, IssuedCredential

    return {model.__name__: model.objects.count() for model in (
        get_user_model(), Institution, Membership, Competency, AchievementDefinition,
        IssuedCredential, ApiToken, AuditEntry)}


def test_demo_runs_twice_without_duplicates_and_everything_verifies(client):
    from microdegree.institutions.models import Institution
    from microdegree.issuing.models import IssuedCredential
    from microdegree.vc import did as vc_did
    from microdegree.vc.verify import verify

    first = StringIO()
    call_command("demo", stdout=first)
    before = _counts()
    second = StringIO()
    call_command("demo", stdout=second)
    assert _counts() == before  # nothing new, not even an audit entry
    out = first.getvalue()
    assert "admin@demo.example" in out
    assert "demo-password-1" in out
    assert "API token (shown once" in out
    assert "mdt_" in out
    assert "mdt_" not in second.getvalue()
    assert settings.PUBLIC_URL in out
    assert "LTI 1.3: course platform https://lms.demo.example registered" in second.getvalue()
    if settings.PUBLIC_URL.startswith("http://"):  # the README's CLI line for a download
        host = settings.PUBLIC_URL[len("http://"):]
        assert f"microdegree verify credential.json --allow-http {host}" in out

    inst = Institution.objects.get(slug="demo-university")
    assert inst.is_approved
    assert inst.did.startswith("did:web:")
    assert inst.did.endswith(":issuers:demo-university")
    creds = IssuedCredential.objects.filter(institution=inst)
    assert creds.count() == 9
    # + the receiving university's signed credit decision for Carla (recognition demo)
    assert before["IssuedCredential"] == 10
    degree = creds.get(achievement_version__definition__kind="microdegree")
    assert degree.recipient_email == "carla@learner.example"
    assert degree.components.count() == 3
    assert degree.credits_earned == 15
    revoked = creds.get(state="revoked")
    assert revoked.state_reason
    assert revoked.recipient_email == "dev@learner.example"
    suspended = creds.get(state="suspended")
    assert suspended.recipient_email == "eva@learner.example"
    assert creds.filter(state="active").count() == 7

    served = json.loads(client.get(f"/issuers/{inst.slug}/did.json").content)
    resolver = vc_did.StaticResolver({inst.did: served})
    fetcher = ClientFetcher(client)
    for cred in creds:
        report = verify(cred.document, resolver=resolver, status_fetcher=fetcher)
        if cred.state == "revoked":
            # genuine, but its status list says revoked
            assert report.has("STATUS_REVOKED"), report.to_json()
            assert not report.verified
            assert verify(cred.document, resolver=resolver, check_status=False).verified
        else:
            # active, and suspended too: by default a credential names only its revocation
            # entry (one credentialStatus, as the OB schema allows; issuing.embed_suspension)
            assert report.verified, (cred.recipient_email, report.to_json())

def test_demo_staff_can_sign_in_and_see_the_dashboard(client):
    call_command("demo", stdout=StringIO())
    assert client.login(username="viewer@demo.example", password="demo-password-3")
    page = client.get("/institutions/demo-university/").content.decode()
    assert "Data Science Microdegree" in page
    assert "Carla Costa" in page
    assert client.login(username="admin@demo.example", password="demo-password-admin")
    assert "Demo University" in client.get("/dashboard/").content.decode()
