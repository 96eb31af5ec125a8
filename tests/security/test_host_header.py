"""Issue 12, point 1: password-reset link poisoning through the Host header.

The attack: `POST /accounts/password_reset/` with `Host: attacker.example` used to e-mail the
owner a link to `http://attacker.example/accounts/reset/...`. Now a request for a host that is
not the public URL's is a 400, and every e-mailed link is built from `settings.PUBLIC_URL`.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core import mail
from django.utils import timezone

from microdegree import config

pytestmark = pytest.mark.django_db
PUBLIC = "https://credentials.uni.example"
SRC = Path(__file__).resolve().parents[2] / "src" / "microdegree"


@pytest.fixture
def staff(make_user, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return make_user("owner@uni.example")


def _reset(client, email: str, **extra):
    return client.post("/accounts/password_reset/", {"email": email}, **extra)


def _link(message) -> str:
    match = re.search(r"https?://\S+/accounts/reset/\S+", message.body)
    assert match, message.body
    return match.group(0)


def test_reset_for_another_host_is_a_400_and_sends_nothing(client, staff):
    response = _reset(client, staff.email, HTTP_HOST="attacker.example")
    assert response.status_code == 400
    assert mail.outbox == []
    # X-Forwarded-Host is not believed either (USE_X_FORWARDED_HOST stays off)
    response = _reset(client, staff.email, HTTP_X_FORWARDED_HOST="attacker.example")
    assert "attacker.example" not in "".join(m.body for m in mail.outbox)


def test_reset_link_is_on_the_public_url_and_works(client, staff, settings):
    settings.PUBLIC_URL = PUBLIC  # the request comes in as "testserver": the link must not
    response = _reset(client, staff.email)
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = _link(mail.outbox[0])
    assert link.startswith(f"{PUBLIC}/accounts/reset/")
    assert "testserver" not in mail.outbox[0].body
    # the link from the e-mail sets a new password on the real host
    page = client.get(link[len(PUBLIC):], follow=True)
    assert page.status_code == 200
    form_url = page.redirect_chain[-1][0]
    done = client.post(form_url, {"new_password1": "a new long passphrase 42",
                                  "new_password2": "a new long passphrase 42"})
    assert done.status_code == 302
    staff.refresh_from_db()
    assert staff.check_password("a new long passphrase 42")


def test_reset_form_is_rate_limited_per_client_address(client, staff):
    for n in range(5):
        assert _reset(client, f"someone{n}@uni.example").status_code == 302
    refused = _reset(client, staff.email)
    assert refused.status_code == 429
    assert "Too many password resets" in refused.content.decode()
    assert mail.outbox == []  # none of the others had an account, and the owner got none
    # another client address is not affected
    assert _reset(client, staff.email, REMOTE_ADDR="192.0.2.7").status_code == 302
    assert len(mail.outbox) == 1


def test_many_addresses_cannot_lock_the_owner_out(client, staff):
    from microdegree.web.models import PasswordResetRequest

    for n in range(5):  # five attackers ask for the owner's reset
        assert _reset(client, staff.email, REMOTE_ADDR=f"198.51.100.{n + 1}").status_code == 302
    assert len(mail.outbox) == 5
    # the mailbox is not flooded: a sixth, at once, from yet another address, is refused
    assert _reset(client, staff.email, REMOTE_ADDR="198.51.100.9").status_code == 429
    # but the owner gets one at the slower pace (five minutes later)
    PasswordResetRequest.objects.update(created_at=timezone.now() - timedelta(minutes=6))
    assert _reset(client, staff.email, REMOTE_ADDR="203.0.113.5").status_code == 302
    assert len(mail.outbox) == 6


def test_each_reset_request_is_audited(client, staff):
    from microdegree.audit.models import AuditEntry

    _reset(client, staff.email)
    assert AuditEntry.objects.filter(action="web.password_reset_requested").count() == 1


def test_sign_in_link_for_another_host_is_a_400(client, settings):
    settings.ROOT_URLCONF = "microdegree.urls"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    response = client.post("/me/login", {"email": "learner@example.org"},
                           HTTP_HOST="attacker.example")
    assert response.status_code == 400
    assert mail.outbox == []
    settings.PUBLIC_URL = PUBLIC
    assert client.post("/me/login", {"email": "learner@example.org"}).status_code == 200
    assert re.search(r"https?://\S+", mail.outbox[0].body).group(0).startswith(
        f"{PUBLIC}/me/login/")


def test_claim_and_verification_links_are_on_the_public_url(settings):
    from microdegree.issuing import mail as issuing_mail
    from microdegree.records import services as records_services

    settings.PUBLIC_URL = PUBLIC
    assert issuing_mail.claim_url(SimpleNamespace(uuid=uuid.uuid4())).startswith(
        f"{PUBLIC}/claim/")
    assert records_services.login_url("t").startswith(f"{PUBLIC}/me/login/")
    assert records_services.verify_url("t").startswith(f"{PUBLIC}/me/emails/verify/")


def test_allowed_hosts_come_from_the_public_url():
    assert config.allowed_hosts(PUBLIC, None) == ["credentials.uni.example"]
    assert config.allowed_hosts(PUBLIC, "www.uni.example, Other.Example") == [
        "credentials.uni.example", "www.uni.example", "other.example"]
    # a local public URL (development, the demo) also answers to this machine's other names
    assert config.allowed_hosts("http://localhost:8000", None) == [
        "localhost", "127.0.0.1", "[::1]"]
    assert config.allowed_hosts("http://[::1]:8000", None)[0] == "[::1]"


def test_no_mail_code_builds_links_from_the_request():
    """Every module that sends mail builds its links with web.links.public_link."""
    senders = [p for p in SRC.rglob("*.py")
               if "mail" in p.read_text(encoding="utf-8") and "migrations" not in p.parts
               and re.search(r"\bmail\.(EmailMessage|send_mail|get_connection)|"
                             r"PasswordResetForm", p.read_text(encoding="utf-8"))]
    assert senders, "no mail-sending module found"
    for path in senders:
        text = path.read_text(encoding="utf-8")
        assert "build_absolute_uri" not in text, path
        assert "get_host()" not in text, path
        assert "PUBLIC_URL}/" not in text, f"{path}: use web.links.public_link"
