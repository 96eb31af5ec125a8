"""Outbound HTTP for the pull client (discovery, registration, token, credentials), through the
core's SSRF-safe fetcher.

`SafeFetcher` only GETs with an Accept header; the OB API client must also POST (registration,
token) and send a bearer token. `SafeClient` adds one `request` method that keeps every guard
of the core (vetted and pinned address, no private addresses unless allowed, https unless
allowed, deadline, byte cap) and follows no redirects. It reuses the fetcher's internals; the
method belongs in `microdegree.vc.fetch` once the core's owner takes it.
"""

from __future__ import annotations

import http.client
import ssl
import time
from urllib.parse import urlsplit

from microdegree.vc.errors import FetchError
from microdegree.vc.fetch import FetchResponse, SafeFetcher, _PinnedConnection


class SafeClient(SafeFetcher):
    def request(self, method: str, url: str, *, body: bytes = b"",
                headers: dict[str, str] | None = None) -> FetchResponse:
        """One request (no redirects); the response whatever its status (the caller reads it)."""
        deadline = time.monotonic() + self.timeout
        scheme, host, port = self._origin(url)
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        context = self.ssl_context if scheme == "https" else None
        sent = {"Accept": "application/json", "Accept-Encoding": "identity",
                "User-Agent": self.user_agent, "Connection": "close", **(headers or {})}
        last_error: OSError | None = None
        for ip in self.addresses(host, port):
            conn = _PinnedConnection(host, port, ip, self._remaining(deadline, url), context)
            try:
                conn.request(method, target, body=body or None, headers=sent)
                resp = conn.getresponse()
                declared = resp.getheader("content-length", "")
                if declared.isdigit() and int(declared) > self.max_bytes:
                    raise FetchError(f"{url} is larger than {self.max_bytes} bytes.",
                                     code="FETCH_TOO_LARGE")
                data = resp.read(self.max_bytes + 1)
                if len(data) > self.max_bytes:
                    raise FetchError(f"{url} is larger than {self.max_bytes} bytes.",
                                     code="FETCH_TOO_LARGE")
                self._remaining(deadline, url)
                got = {k.lower(): v for k, v in resp.getheaders()}
                content_type = got.get("content-type", "").split(";", 1)[0].strip().lower()
                return FetchResponse(url=url, status=resp.status, content_type=content_type,
                                     body=data, headers=got)
            except TimeoutError as exc:
                raise FetchError(f"{url} took longer than {self.timeout} s.",
                                 code="FETCH_TIMEOUT") from exc
            except ssl.SSLError as exc:
                raise FetchError(f"TLS with {host} failed: {exc}", code="FETCH_TLS_ERROR") from exc
            except ConnectionRefusedError as exc:
                last_error = exc
                continue
            except (OSError, http.client.HTTPException) as exc:
                raise FetchError(f"{url} could not be reached: {exc}",
                                 code="FETCH_FAILED") from exc
            finally:
                conn.close()
        raise FetchError(f"{url} could not be reached: {last_error}", code="FETCH_FAILED")
