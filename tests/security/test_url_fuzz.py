"""Issue 12 point 5: a URL from outside never answers 500.

`urlsplit` and `.port` raise a bare ValueError on `https://[::1` or a port of 99999; six
unauthenticated (or learner) requests used to answer 500 with it. Every URL from outside is now
parsed by `microdegree.vc.urls.parse_url`, and the callers answer 400 with a sentence. The six
reported requests each have a test; a bounded hypothesis run posts malformed URLs to every form
and JSON field that takes one (and serves them from another host's discovery document) and
asserts that nothing answers 5xx.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from microdegree.vc.urls import UrlError, parse_url
from microdegree.verification import services as verification_services

API = "/ims/ob/v3p0"
PKCE = {"response_type": "code", "code_challenge": "x" * 43, "code_challenge_method": "S256"}
BROKEN_IPV6 = "https://[::1"
BAD_PORT = "https://app.example:99999/callback"


@pytest.fixture(autouse=True)
def _fresh(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    verification_services.reset()
    yield
    verification_services.reset()


@pytest.fixture
def anonymous():
    return Client(raise_request_exception=False)


@pytest.fixture
def learner(make_user):
    client = Client(raise_request_exception=False)
    client.force_login(make_user("learner@example.org"))
    return client


def _register(client: Client, **metadata: Any):
    body = {"client_name": "An app", "redirect_uris": ["https://app.example/callback"],
            **metadata}
    return client.post(f"{API}/register", json.dumps(body), content_type="application/json")


def _refused(response: Any, *words: str) -> str:
    """A 400 whose body carries a sentence; the sentence (text of the page or JSON)."""
    assert response.status_code == 400, (response.status_code, response.content[:300])
    text = response.content.decode()
    for word in words:
        assert word in text, text[:2000]
    return text


# --- the six reported requests ----------------------------------------------------------------


@pytest.mark.django_db
def test_registration_with_a_broken_client_uri_is_a_400(anonymous):
    response = _register(anonymous, client_uri=BROKEN_IPV6)
    _refused(response, "invalid_client_metadata", "IPv6")


@pytest.mark.django_db
def test_registration_with_a_redirect_uri_on_port_99999_is_a_400(anonymous):
    response = _register(anonymous, redirect_uris=[BAD_PORT])
    body = json.loads(_refused(response, "invalid_redirect_uri"))
    assert "Port out of range" in body["error_description"]


@pytest.mark.django_db
def test_authorize_with_a_malformed_redirect_uri_is_a_400(anonymous, learner):
    client_id = _register(anonymous).json()["client_id"]
    for uri in (BROKEN_IPV6, BAD_PORT):
        response = learner.get(f"{API}/authorize",
                               {"client_id": client_id, "redirect_uri": uri, **PKCE})
        _refused(response, "The redirect URI")
        without_pkce = learner.get(f"{API}/authorize",
                                   {"client_id": client_id, "redirect_uri": uri,
                                    "response_type": "code"})
        _refused(without_pkce, "The redirect URI")


@pytest.mark.django_db
def test_verify_page_with_a_malformed_url_is_a_400(anonymous):
    page = anonymous.post("/verify", {"url": BROKEN_IPV6})
    _refused(page, "IPv6")
    answer = anonymous.post("/verify", {"url": BROKEN_IPV6}, HTTP_ACCEPT="application/json")
    assert answer.status_code == 400
    assert answer.json()["code"] == "URL_INVALID"
    assert "is not a valid URL" in answer.json()["message"]


@pytest.mark.django_db
def test_import_by_a_malformed_url_is_a_400(learner):
    _refused(learner.post("/me/import", {"url": BROKEN_IPV6}), "IPv6")
    _refused(learner.post("/me/import", {"url": "https://example.org:99999/c"}), "Port")


@pytest.mark.django_db
def test_connect_to_a_malformed_host_address_is_a_400(learner):
    _refused(learner.post("/me/connect/", {"base_url": BROKEN_IPV6}), "IPv6")
    _refused(learner.post("/me/connect/", {"base_url": "https://example.org:99999"}), "Port")


# --- the parser itself -------------------------------------------------------------------------


@pytest.mark.parametrize("url", [
    "https://[::1", "https://[abc]/", "http://[::1]]/", "https://example.org:99999/",
    "https://example.org:0/", "https://exa mple.org/", "https://a..b/", "https://example.org:-1/",
    "https://" + "a" * 64 + ".example/", "https://[fe80::1%25eth0]/", "ftp://example.org/",
    "//example.org/", "https:///path", "https://example.org\\@evil.example/", "",
])
def test_parse_url_refuses_with_a_sentence(url):
    with pytest.raises(UrlError) as caught:
        parse_url(url)
    assert caught.value.code.startswith("URL_")
    assert caught.value.message.endswith(".")


@pytest.mark.parametrize(("url", "host", "port"), [
    ("https://example.org/a?b#c", "example.org", None),
    ("http://localhost:8000/credentials/1", "localhost", 8000),
    ("https://[2001:db8::1]:8443/", "2001:db8::1", 8443),
    ("https://\u00fcni.example/", "xn--ni-wka.example", None),
])
def test_parse_url_accepts_well_formed_urls(url, host, port):
    parsed = parse_url(url)
    assert (parsed.host, parsed.port) == (host, port)


# --- fuzz: every form and JSON field that takes a URL --------------------------------------------

_HOSTS = st.sampled_from(["example.org", "[::1", "[::1]]", "[abc]", "[fe80::1%25x]", "a..b",
                          "\u0130.example", "exa mple", "", "xn--", "-a.example", "1.2.3.4",
                          "[2001:db8::1]", "user:pw@example.org", "ex\x00ample.org"])
_PORTS = st.one_of(st.just(""), st.integers(-5, 200_000).map(lambda p: f":{p}"),
                   st.sampled_from([":", ":x", ":\uff11\uff12", ":1:2"]))
_TAILS = st.sampled_from(["", "/", "/cb", "/cb#frag", "/?q=[", "/%zz", "/\u00e9"])
MALFORMED = st.one_of(
    st.builds(lambda scheme, host, port, tail: f"{scheme}{host}{port}{tail}",
              st.sampled_from(["https://", "http://", "HTTPS://", "ftp://", "//", "https:",
                               "javascript://", "https:\\\\"]),
              _HOSTS, _PORTS, _TAILS),
    st.text(max_size=40).map(lambda t: "https://" + t),
    st.text(max_size=40),
)
FUZZ = settings(max_examples=40, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


def _no_5xx(response: Any, where: str, url: str) -> None:
    assert response.status_code < 500, (where, url, response.content[:500])


@pytest.mark.django_db
def test_fuzz_public_and_learner_url_fields(anonymous, learner):
    client_id = _register(anonymous).json()["client_id"]

    @FUZZ
    @given(url=MALFORMED)
    def run(url: str) -> None:
        for field in ("client_uri", "logo_uri", "tos_uri", "policy_uri", "jwks_uri"):
            _no_5xx(_register(anonymous, **{field: url}), f"register {field}", url)
        _no_5xx(_register(anonymous, redirect_uris=[url]), "register redirect_uris", url)
        for params in ({"redirect_uri": url, **PKCE}, {"redirect_uri": url}):
            _no_5xx(learner.get(f"{API}/authorize", {"client_id": client_id, **params}),
                    "authorize", url)
        _no_5xx(learner.post(f"{API}/authorize", {"client_id": client_id, "redirect_uri": url,
                                                  "allow": "on", **PKCE}),
                "authorize (consent)", url)
        _no_5xx(anonymous.post("/verify", {"url": url}), "verify", url)
        _no_5xx(anonymous.get("/verify", {"url": url}), "verify (GET)", url)
        _no_5xx(learner.post("/me/import", {"url": url}), "import", url)
        _no_5xx(learner.post("/me/connect/", {"base_url": url}), "connect", url)

    run()


@pytest.mark.django_db
def test_fuzz_staff_url_fields(make_user, institution):
    from microdegree.catalog import services as catalog

    catalog.create_definition(
        None, institution, name="Course", slug="course", description="A course.",
        criteria_narrative="Pass.", credits_available=5)
    staff = Client(raise_request_exception=False)
    staff.force_login(institution.members.get(role="owner").user)
    base = f"/institutions/{institution.slug}"
    forms = [
        ("/institutions/register", "url", {"name": "U", "country_code": "NL"}),
        (f"{base}/achievements/new", "criteria_url", {"name": "X"}),
        (f"{base}/achievements/new", "further_info_url", {"name": "X"}),
        (f"{base}/competencies/", "target_url", {"name": "C"}),
        (f"{base}/programs/", "url", {"name": "P"}),
        (f"{base}/credentials/award/course/", "evidence_url",
         {"recipient_email": "a@b.example"}),
    ]

    @FUZZ
    @given(url=MALFORMED)
    def run(url: str) -> None:
        for path, field, extra in forms:
            _no_5xx(staff.post(path, {**extra, field: url}), f"{path} {field}", url)

    run()


class _Discovery(BaseHTTPRequestHandler):
    """Another Open Badges host whose discovery document names the URLs under test."""

    endpoints: ClassVar[dict[str, str]] = {}

    def do_GET(self) -> None:
        e = self.endpoints
        doc = {"info": {"title": "Other"}, "servers": [{"url": e["api"]}],
               "components": {"securitySchemes": {"OAuth2ACG": {
                   "x-imssf-registrationUrl": e["registration"],
                   "flows": {"authorizationCode": {"authorizationUrl": e["authorization"],
                                                   "tokenUrl": e["token"]}}}}}}
        body = json.dumps(doc).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        body = b'{"client_id": "x", "client_secret": "y"}'
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def other_host(settings):
    settings.MICRODEGREE_VERIFY_ALLOW_PRIVATE = True
    settings.MICRODEGREE_VERIFY_ALLOW_HTTP = True
    verification_services.reset()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Discovery)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.django_db
def test_fuzz_endpoint_urls_in_another_hosts_discovery_document(learner, other_host):
    good = f"{other_host}/ims/ob/v3p0"

    @FUZZ
    @given(url=MALFORMED, field=st.sampled_from(["api", "registration", "authorization",
                                                 "token"]))
    def run(url: str, field: str) -> None:
        endpoints = {"api": good, "registration": f"{good}/register",
                     "authorization": f"{good}/authorize", "token": f"{good}/token"}
        _Discovery.endpoints = {**endpoints, field: url}
        response = learner.post("/me/connect/", {"base_url": other_host})
        _no_5xx(response, f"discovery {field}", url)

    run()


@pytest.mark.django_db
def test_fuzz_status_list_urls_inside_credentials(anonymous):
    """A credential's status list URL is fetched by the verifier: malformed ones are a check
    that fails or warns with a sentence, on the VC API and on the verify page, never a 500."""
    from microdegree.vc import did, proofs
    from tests.samples import sample_credential
    from tests.verification.helpers import key_from

    key = key_from(9)
    issuer = did.did_key(key)

    @FUZZ
    @given(url=MALFORMED)
    def run(url: str) -> None:
        doc = sample_credential(issuer, status_list="https://example.org/status/1")
        doc["credentialStatus"]["statusListCredential"] = url
        signed = proofs.sign(doc, key, verification_method=f"{issuer}#{key.public_multibase}",
                             suite="eddsa-jcs-2022")
        answer = anonymous.post("/credentials/verify",
                                json.dumps({"verifiableCredential": signed}),
                                content_type="application/json")
        _no_5xx(answer, "VC API verify", url)
        _no_5xx(anonymous.post("/verify", {"credential": json.dumps(signed)}), "verify", url)

    run()
