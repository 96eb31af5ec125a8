"""The pull client refuses, with a sentence, what another host sends that a connection could
not keep whole (over-long endpoint URLs, client ids or secrets), instead of cutting it (a cut
secret fails only later, at the token step) or failing in the database."""

from __future__ import annotations

import json

import pytest

from microdegree.obapi import client as pull_client
from microdegree.obapi.models import RemoteHost
from microdegree.vc.fetch import FetchResponse

pytestmark = pytest.mark.django_db

HOST = "https://other.example"


def _discovery(registration: str = f"{HOST}/register") -> dict:
    return {
        "info": {"title": "Other"},
        "servers": [{"url": f"{HOST}/ims/ob/v3p0"}],
        "components": {"securitySchemes": {"OAuth2ACG": {
            "x-imssf-registrationUrl": registration,
            "flows": {"authorizationCode": {"authorizationUrl": f"{HOST}/authorize",
                                            "tokenUrl": f"{HOST}/token"}}}}},
    }


class FakeHost:
    def __init__(self, discovery: dict, registered: dict) -> None:
        self.discovery, self.registered = discovery, registered

    @staticmethod
    def _answer(url: str, status: int, body: dict) -> FetchResponse:
        return FetchResponse(url=url, status=status, content_type="application/json",
                             body=json.dumps(body).encode(), headers={})

    def get(self, url: str, *, accept: str = "application/json") -> FetchResponse:
        return self._answer(url, 200, self.discovery)

    def request(self, method: str, url: str, **_: object) -> FetchResponse:
        return self._answer(url, 201, self.registered)


@pytest.fixture
def fake(monkeypatch):
    def install(discovery: dict, registered: dict) -> None:
        monkeypatch.setattr(pull_client, "_client", lambda: FakeHost(discovery, registered))
    return install


def test_a_secret_of_any_length_up_to_the_limit_is_kept_whole(fake, learner):
    secret = "s" * pull_client.MAX_SECRET
    fake(_discovery(), {"client_id": "c" * pull_client.MAX_CLIENT_ID, "client_secret": secret})
    host, url = pull_client.start_pull(learner("a@example.org"), HOST)
    host = RemoteHost.objects.get(pk=host.pk)
    assert host.client_secret_value() == secret
    assert host.client_id == "c" * pull_client.MAX_CLIENT_ID
    assert url.startswith(f"{HOST}/authorize?")


@pytest.mark.parametrize("registered", [
    {"client_id": "c" * (pull_client.MAX_CLIENT_ID + 1), "client_secret": "s"},
    {"client_id": "c", "client_secret": "s" * (pull_client.MAX_SECRET + 1)},
    {"client_id": "", "client_secret": "s"},
])
def test_an_id_or_secret_too_long_to_keep_is_refused(fake, learner, registered):
    fake(_discovery(), registered)
    with pytest.raises(pull_client.PullError, match="cannot keep"):
        pull_client.start_pull(learner("a@example.org"), HOST)
    assert not RemoteHost.objects.exists()


def test_an_endpoint_url_too_long_to_keep_is_refused(fake, learner):
    long_url = f"{HOST}/register?" + "x" * pull_client.MAX_URL
    fake(_discovery(registration=long_url), {"client_id": "c", "client_secret": "s"})
    with pytest.raises(pull_client.PullError, match="longer than"):
        pull_client.start_pull(learner("a@example.org"), HOST)
    assert not RemoteHost.objects.exists()
