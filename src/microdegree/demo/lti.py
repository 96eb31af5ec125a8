"""The demo's sample course platform, registered (manually) for Demo University: idempotent."""

from __future__ import annotations

from typing import Any

from microdegree.institutions.models import Institution
from microdegree.lti import keys, services
from microdegree.lti.models import PlatformRegistration

ISSUER = "https://lms.demo.example"
CLIENT_ID = "demo-course-platform"


def build(owner: Any, inst: Institution) -> PlatformRegistration:
    keys.tool_key()
    found = PlatformRegistration.objects.filter(issuer=ISSUER, client_id=CLIENT_ID).first()
    return found or services.register_manually(
        owner, inst, name="Demo course platform (Moodle-like)", issuer=ISSUER,
        client_id=CLIENT_ID, auth_login_url=f"{ISSUER}/mod/lti/auth.php",
        auth_token_url=f"{ISSUER}/mod/lti/token.php", key_set_url=f"{ISSUER}/mod/lti/certs.php",
        deployment_ids=["1"])


def summary_line(reg: PlatformRegistration) -> str:
    urls = services.tool_urls()
    return (f"  LTI 1.3: course platform {reg.issuer} registered for {reg.institution.name} "
            f"(client {reg.client_id}, deployment {', '.join(reg.deployment_ids)}); tool login "
            f"{urls['login']}, launch {urls['launch']}, keys {urls['jwks']}")
