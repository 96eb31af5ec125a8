"""Configuration from environment variables with safe defaults (no Django import here).

Every setting is `MICRODEGREE_<NAME>` (plus the conventional `DATABASE_URL`). Secrets (the Django
secret key and the master key that encrypts institutions' signing keys) come from the environment
(`MICRODEGREE_SECRET_KEY`, `MICRODEGREE_MASTER_KEY`) or from files named there
(`MICRODEGREE_SECRET_KEY_FILE`, `MICRODEGREE_MASTER_KEY_FILE`, e.g. container secrets); in
development they are generated once into the data folder with mode 600, and a system check
(`microdegree.web.checks`) refuses to run production (DEBUG off) without them being set
explicitly.

The data folder is private to the user running the platform: created 0700, and the files in it
that hold secrets or personal data (the SQLite database, the key files, uploads) are 0600.
"""

from __future__ import annotations

import base64
import ipaddress
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

# Where a secret came from: an explicit value (environment or a named file) or the data folder.
ENVIRONMENT, FILE, DATA_FOLDER = "environment", "file", "data folder"
# Host names that only ever mean "this machine" (plus Django's test client's "testserver").
LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"MICRODEGREE_{name}", default)


def truthy(value: str | None, default: bool) -> bool:
    """A yes/no text (an environment variable, a query parameter): 1/true/yes/on; blank or
    missing is `default`."""
    if value is None or not value.strip():
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_bool(name: str, default: bool) -> bool:
    return truthy(env(name), default)


def data_dir() -> Path:
    """The data folder, created 0700 (an existing folder's mode is left as the operator set it)."""
    path = Path(env("DATA_DIR") or Path.cwd() / "data").resolve()
    if not path.exists():
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.chmod(0o700)  # mkdir's mode is masked by the umask; this is not
    return path


def private_file(path: Path) -> Path:
    """Make sure `path` exists with mode 0600 (created so, or an existing one tightened).

    Used for the SQLite database before Django opens it: SQLite creates its -wal and -shm
    files with the database file's mode, so they are private too.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
    else:
        os.close(fd)
    return path


def _file_secret(name: str, make: str) -> str:
    path = data_dir() / name
    if path.exists():
        private_file(path)
        return path.read_text(encoding="utf-8").strip()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(make)
    return make


def _explicit_secret(name: str) -> tuple[str | None, str]:
    """(`MICRODEGREE_<name>`, or the content of the file `MICRODEGREE_<name>_FILE`, source)."""
    value = env(name)
    if value:
        return value.strip(), ENVIRONMENT
    path = env(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip(), FILE
        except OSError as exc:
            raise ValueError(f"MICRODEGREE_{name}_FILE: cannot read {path} ({exc.strerror})") \
                from exc
    return None, DATA_FOLDER


def secret_source(name: str) -> str:
    """Where `SECRET_KEY` or `MASTER_KEY` comes from: environment, file or data folder."""
    return _explicit_secret(name)[1]


def secret_key() -> str:
    value, _ = _explicit_secret("SECRET_KEY")
    return value or _file_secret("secret_key", secrets.token_urlsafe(50))


def master_key() -> bytes:
    """The 32-byte key that encrypts signing keys at rest (base64 in MICRODEGREE_MASTER_KEY)."""
    value, _ = _explicit_secret("MASTER_KEY")
    raw = value or _file_secret(
        "master_key", base64.b64encode(secrets.token_bytes(32)).decode()
    )
    key = base64.b64decode(raw)
    if len(key) != 32:
        raise ValueError("MICRODEGREE_MASTER_KEY must be 32 bytes, base64-encoded")
    return key


# --- hosts ----------------------------------------------------------------------------------


def public_host(public_url: str) -> str:
    """The host of the public URL as ALLOWED_HOSTS spells it (an IPv6 address in brackets)."""
    host = (urlsplit(public_url).hostname or "").lower()
    return f"[{host}]" if ":" in host else host


def origin(url: str) -> str:
    """`https://host:port/path` -> `https://host:port`."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def is_local_host(host: str) -> bool:
    """True for names that only mean this machine: localhost (and *.localhost), loopback IPs."""
    host = host.lower().strip("[]")
    if host in {"localhost", "testserver"} or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def allowed_hosts(public_url: str, extra: str | None) -> list[str]:
    """The public URL's host, the comma-separated `extra` hosts, and, when the public URL is
    itself local (development, the demo), the other names of this machine."""
    hosts = [public_host(public_url)]
    hosts += [h.strip().lower() for h in (extra or "").split(",") if h.strip()]
    if is_local_host(hosts[0]):
        hosts += list(LOCAL_HOSTS)
    return list(dict.fromkeys(h for h in hosts if h))
