"""Issue 12, point 7 (first half): the data folder is private to the platform's user.

The folder is created 0700; the SQLite database (sessions, OAuth tokens), its -wal/-shm files,
the development key files and uploads are 0600 whatever the umask, and an existing database
that was world-readable is tightened when the platform starts.
"""

from __future__ import annotations

import os
import stat
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from microdegree import config

SCRIPT = """
import django, os
django.setup()
from django.db import connection
from microdegree import config
with connection.cursor() as cursor:  # a write, so SQLite opens its -wal and -shm files
    cursor.execute("CREATE TABLE IF NOT EXISTS t (x)")
    cursor.execute("INSERT INTO t VALUES (1)")
    print("keys", len(config.secret_key()), len(config.master_key()))
    # while the connection is open (SQLite removes its -wal file when the last one closes)
    for path in sorted(config.data_dir().iterdir()):
        print("mode", path.name, oct(path.stat().st_mode & 0o777))
"""


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _run(data: Path, tmp_path: Path) -> str:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("MICRODEGREE_", "PYTEST", "DATABASE_URL"))}
    env.update({"MICRODEGREE_DATA_DIR": str(data), "MICRODEGREE_DEBUG": "1",
                "DJANGO_SETTINGS_MODULE": "microdegree.settings"})
    done = subprocess.run(
        [sys.executable, "-c", f"import os; os.umask(0o022)\n{SCRIPT}"], env=env, cwd=tmp_path,
        capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_a_new_data_folder_and_its_files_are_private(tmp_path):
    data = tmp_path / "data"
    out = _run(data, tmp_path)
    assert "keys 67 32" in out
    assert _mode(data) == 0o700
    modes = dict(line.split()[1:] for line in out.splitlines() if line.startswith("mode "))
    private = ("microdegree.sqlite3", "microdegree.sqlite3-wal", "microdegree.sqlite3-shm",
               "secret_key", "master_key")
    assert modes == dict.fromkeys(private, "0o600")


def test_an_existing_world_readable_database_is_tightened(tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    database = data / "microdegree.sqlite3"
    database.touch()
    database.chmod(0o644)  # how every database was created before
    _run(data, tmp_path)
    assert _mode(database) == 0o600
    assert _mode(data) == 0o755  # an existing folder keeps the mode its operator gave it


def test_private_file_creates_and_tightens(tmp_path):
    made = config.private_file(tmp_path / "new")
    assert _mode(made) == 0o600
    loose = tmp_path / "loose"
    loose.write_text("x")
    loose.chmod(0o664)
    assert _mode(config.private_file(loose)) == 0o600


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + \
            struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + \
        chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b"")


@pytest.mark.django_db
def test_uploaded_images_are_private(client, settings, tmp_path, institution, make_user):
    """An image uploaded over HTTP lands 0600 in a 0700 folder (served by the platform only)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from microdegree.catalog import services
    from microdegree.catalog.models import AchievementVersion
    from microdegree.institutions import services as institutions

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    issuer = make_user("issuer@uni.example")
    institutions.set_member(None, institution, issuer, "issuer")
    services.create_definition(issuer, institution, name="Data Literacy",
                               description="A short course.", criteria_narrative="Pass.",
                               ects=5, credits_available=5)
    client.force_login(issuer)
    response = client.post("/institutions/example-uni/achievements/data-literacy/image",
                           {"image": SimpleUploadedFile("badge.png", _png(), "image/png")})
    assert response.status_code == 302
    stored = Path(AchievementVersion.objects.get().image.path)
    assert _mode(stored) == 0o600
    assert _mode(stored.parent) == 0o700
