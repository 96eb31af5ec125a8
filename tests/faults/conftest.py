"""Fixtures of the fault-injection tests: the TCP proxy in front of the test database."""

from __future__ import annotations

import pytest

from tests.faults._support import TcpProxy


@pytest.fixture
def db_proxy(transactional_db):
    from django.db import connection

    s = connection.settings_dict
    proxy = TcpProxy((s.get("HOST") or "127.0.0.1", int(s.get("PORT") or 5432)))
    yield proxy
    proxy.close()


@pytest.fixture
def issuer_token(institution) -> str:
    from microdegree.issuing import services

    return services.create_api_token(None, institution, "fault tests", role="issuer")[1]
