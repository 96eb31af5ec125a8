"""Configuration from environment variables with safe defaults (no Django import here).

Every setting is `MICRODEGREE_<NAME>` (plus the conventional `DATABASE_URL`). Secrets (the Django
secret key and the master key that encrypts institutions' signing keys) come from the environment;
in development they are generated once into the data folder with mode 600, and a system check
refuses to run production (DEBUG off) without them being set explicitly.
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"MICRODEGREE_{name}", default)


def env_bool(name: str, default: bool) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def data_dir() -> Path:
    path = Path(env("DATA_DIR") or Path.cwd() / "data").resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def _file_secret(name: str, make: str) -> str:
    path = data_dir() / name
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(make)
    return make


def secret_key() -> str:
    return env("SECRET_KEY") or _file_secret("secret_key", secrets.token_urlsafe(50))


def master_key() -> bytes:
    """The 32-byte key that encrypts signing keys at rest (base64 in MICRODEGREE_MASTER_KEY)."""
    raw = env("MASTER_KEY") or _file_secret(
        "master_key", base64.b64encode(secrets.token_bytes(32)).decode()
    )
    key = base64.b64decode(raw)
    if len(key) != 32:
        raise ValueError("MICRODEGREE_MASTER_KEY must be 32 bytes, base64-encoded")
    return key
