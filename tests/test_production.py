"""The production settings and stack: `check --deploy` clean with the documented environment, the
security headers, no error text from /healthz, a body cap before the body is read, the API's docs
without a CDN, and gunicorn with deploy/gunicorn.conf.py serving pages and static files with an
access log that keeps the query string (status-page keys, searched names) out."""
from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from tests.subprocess_support import child_env

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "MOTCUA_DEBUG": "0",
    "MOTCUA_SECRET_KEY": "k" * 20 + "-Zx9!q" + "A1b2C3d4E5f6G7h8I9j0" * 2,
    "MOTCUA_ALLOWED_HOSTS": "motcua.example.gov.vn",
    "MOTCUA_HTTPS": "1",
    "MOTCUA_PUBLIC_BASE_URL": "https://motcua.example.gov.vn",
}


def test_check_deploy_is_clean_with_the_documented_production_settings() -> None:
    import os

    env = {**os.environ, **PRODUCTION_ENV}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests of this run, never in production
    done = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout
    # Without HTTPS the same check names what is missing (the test above is not vacuous).
    env["MOTCUA_HTTPS"] = "0"
    plain = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                           cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert plain.returncode != 0 and "SECURE_SSL_REDIRECT" in plain.stdout + plain.stderr


@pytest.mark.django_db
def test_pages_carry_the_content_security_policy(client) -> None:  # noqa: ANN001
    response = client.get("/thu-tuc/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert response["Referrer-Policy"] == "same-origin"
    # No inline script anywhere in the page the policy would block.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", response.content.decode())
    assert " onclick=" not in response.content.decode()


@pytest.mark.django_db
def test_healthz_reports_a_database_failure_without_its_text(client, monkeypatch) -> None:  # noqa: ANN001
    def broken(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError('connection to server at "db-secret.internal" failed: password for user "motcua"')

    monkeypatch.setattr(connection, "cursor", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unavailable"}
    assert b"db-secret" not in response.content and b"password" not in response.content


@pytest.mark.django_db
def test_a_body_over_the_cap_is_refused_before_it_is_read(client, settings) -> None:  # noqa: ANN001
    settings.MOTCUA_MAX_REQUEST_BYTES = 1000
    page = client.post("/tra-cuu/", data="x" * 5000, content_type="application/x-www-form-urlencoded")
    assert page.status_code == 413
    assert "Dữ liệu gửi lên quá lớn" in page.content.decode()
    api = client.post("/api/dossiers", data="x" * 5000, content_type="application/json")
    assert api.status_code == 413 and api.json()["code"] == "too_large"
    small = client.post("/tra-cuu/", {"code": "X", "verification": "12"})
    assert small.status_code != 413


@pytest.mark.django_db
def test_the_api_docs_load_nothing_from_another_site(client) -> None:  # noqa: ANN001
    page = client.get("/api/docs").content.decode()
    assert "swagger-ui-bundle.js" in page
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and all(not s.startswith(("http:", "https:", "//")) for s in sources), sources


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:  # noqa: S310 - our own loopback server
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


@pytest.mark.django_db(transaction=True)
def test_gunicorn_with_the_projects_config_serves_pages_static_files_and_a_clean_log(tmp_path_factory) -> None:
    env = child_env(tmp_path_factory)
    static_root = tmp_path_factory.mktemp("static")
    port = _free_port()
    env.update(PRODUCTION_ENV, MOTCUA_HTTPS="0", MOTCUA_ALLOWED_HOSTS="127.0.0.1",
               MOTCUA_STATIC_ROOT=str(static_root), MOTCUA_BIND=f"127.0.0.1:{port}", MOTCUA_WORKERS="2",
               MOTCUA_CONN_MAX_AGE="60")
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
                   cwd=ROOT, env=env, check=True, timeout=120)
    log = tmp_path_factory.mktemp("log") / "gunicorn.log"
    with log.open("w") as out:
        server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-c", "deploy/gunicorn.conf.py",
                                   "motcua.wsgi"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(150):
                try:
                    if _get(f"{base}/healthz")[0] == 200:
                        break
                except OSError:
                    time.sleep(0.2)
            assert _get(f"{base}/healthz") == (200, b'{"status": "ok", "database": "ok"}')
            status, css = _get(f"{base}/static/vendor/bootstrap.min.css")
            assert status == 200 and b"Bootstrap" in css[:400]
            status, page = _get(f"{base}/accounts/login/")
            assert status == 200 and "Đăng nhập".encode() in page
            assert _get(f"{base}/tra-cuu/KHONG-CO/?k=secret-status-key")[0] == 200  # back to the lookup form
        finally:
            server.terminate()
            server.wait(timeout=30)
    text = log.read_text()
    assert '"GET /healthz HTTP/1.1" 200' in text
    assert "/tra-cuu/KHONG-CO/" in text and "secret-status-key" not in text


def test_gunicorns_master_freezes_the_preloaded_heap_for_the_collector() -> None:
    """The master's ``when_ready`` (after the preload, before the workers fork) leaves what the application
    made out of the garbage collector's sight: a worker's collections do not walk, nor write to, it."""
    import gc
    import runpy

    config = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    gc.unfreeze()
    try:
        config["when_ready"](None)
        assert gc.get_freeze_count() > 10_000  # Django, the URLs and views, the holidays' countries
    finally:
        gc.unfreeze()
