"""With debugging off the application refuses to start without a secret key of its own: signed values
(sessions, the citizen's status-page keys) must never rest on a key anyone can read in the source."""
from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def check(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``manage.py check`` in a copy of the environment without a key (nor a generated key file)."""
    base = {k: v for k, v in os.environ.items() if k not in ("MOTCUA_SECRET_KEY", "MOTCUA_DEBUG")}
    base.update(DJANGO_SETTINGS_MODULE="motcua.settings", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", **env)
    assert not (ROOT / "var" / "secret_key").exists() or "MOTCUA_SECRET_KEY" in env, "a generated key would be read"
    return subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=base, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture
def no_generated_key() -> None:
    if (ROOT / "var" / "secret_key").exists():
        pytest.skip("this checkout has a generated var/secret_key (make run): the key is not missing here")


def test_without_a_key_it_refuses_to_start_with_one_line(tmp_path: Path, no_generated_key: None) -> None:
    done = check(tmp_path)
    assert done.returncode != 0
    assert done.stderr.startswith("motcua: Chưa đặt MOTCUA_SECRET_KEY")
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_a_short_key_is_refused_too(tmp_path: Path) -> None:
    done = check(tmp_path, MOTCUA_SECRET_KEY="ngan-qua")
    assert done.returncode != 0 and "MOTCUA_SECRET_KEY ngắn hơn 32 ký tự" in done.stderr


def test_with_a_key_or_in_debug_it_starts(tmp_path: Path, no_generated_key: None) -> None:
    assert check(tmp_path, MOTCUA_SECRET_KEY=secrets.token_urlsafe(50)).returncode == 0
    assert check(tmp_path, MOTCUA_DEBUG="1").returncode == 0
