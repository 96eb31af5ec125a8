"""The platform's base: small HTTP helpers every app may use (no models, not a Django app).

Low in the layers (docs/architecture.md), just above the core `microdegree.vc`: it imports
Django and nothing of the platform, so any app can use it without pulling in another app.

- `client_ip`: the client's address behind trusted reverse proxies (rate limits, audit).
- `links`: links that leave the request (e-mailed links), built from the public URL.
- `strict_json`: JSON answers that never carry NaN or Infinity.
"""
