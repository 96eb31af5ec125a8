"""The browser's part of an LTI 1.3 launch: OIDC login at the tool, the platform signs an
id_token with the nonce the tool chose, the browser posts it to the tool's launch URL."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit


def login(client: Any, platform: Any) -> tuple[str, str]:
    """(state, nonce) from the tool's redirect to the platform's authorization endpoint."""
    from microdegree.lti.services import tool_urls

    answer = client.get("/lti/login", {
        "iss": platform.issuer, "login_hint": "user-1", "client_id": platform.client_id,
        "target_link_uri": tool_urls()["launch"], "lti_deployment_id": platform.deployment_id})
    assert answer.status_code == 302, answer.content
    location = urlsplit(answer["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{platform.issuer}/auth"
    query = {k: v[0] for k, v in parse_qs(location.query).items()}
    assert query["client_id"] == platform.client_id
    assert query["redirect_uri"] == tool_urls()["launch"]
    return query["state"], query["nonce"]


def launch(client: Any, platform: Any, **claims: Any) -> Any:
    state, nonce = login(client, platform)
    token = platform.id_token(nonce, **claims)
    answer = client.post("/lti/launch", {"id_token": token, "state": state})
    answer.lti_state, answer.lti_token = state, token
    return answer


def launch_id(answer: Any) -> str:
    found = re.search(r'name="launch_id" value="([^"]+)"', answer.content.decode())
    assert found, answer.content.decode()
    return found.group(1)
