"""Outbound HTTP for the pull client (discovery, registration, token, credentials), through the
core's SSRF-safe fetcher.

The OB API client must POST (registration, token) and send a bearer token, so it uses
`SafeFetcher.request`: every guard of the core (vetted and pinned address, no private addresses
unless allowed, https unless allowed, deadline per read and in total, byte cap), no redirects,
and the answer whatever its status (the client reads it). `SafeClient` is the name the obapi
code uses for that fetcher.
"""

from __future__ import annotations

from microdegree.vc.fetch import FetchResponse, SafeFetcher

SafeClient = SafeFetcher

__all__ = ["FetchResponse", "SafeClient"]
