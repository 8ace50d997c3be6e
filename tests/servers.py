"""A production-configured instance for tests: its own SQLite file, static files collected,
served by gunicorn on loopback, and plain HTTP requests to it (no redirects followed)."""

import contextlib
import http.client
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"


def production_env(workdir: Path, **overrides) -> dict:
    """Production settings as a deployment behind a TLS-terminating proxy would set them."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="site_config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=HOST,
        DATABASE_URL=f"sqlite:///{workdir / 'site.sqlite3'}",
        CACHE_URL="locmem://",
        STATIC_ROOT=str(workdir / "static"),
        SECURE_PROXY_SSL_HEADER_ENABLED="1",
        LOG_LEVEL="WARNING",
    )
    env.update(overrides)
    return env


def manage(env: dict, *args: str, timeout: int = 180) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )


def prepare(env: dict, *, migrate: bool = True, static: bool = True) -> None:
    """Migrate the instance's database and collect its static files (unless told not to)."""
    if migrate:
        manage(env, "migrate", "--noinput")
    if static:
        manage(env, "collectstatic", "--noinput")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(env: dict, log_path: Path, workers: int = 1):
    """gunicorn serving the site on a free loopback port; yields its base URL."""
    port = free_port()
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "site_config.wsgi:application"]
            + ["--workers", str(workers), "--bind", f"{HOST}:{port}", "--chdir", str(ROOT)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://{HOST}:{port}"
    try:
        wait_until_listening(process, port, log_path)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def wait_until_listening(process, port: int, log_path: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"gunicorn exited: {log_path.read_text()[-2000:]}")
        with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=1):
            return
        time.sleep(0.1)
    raise AssertionError(f"gunicorn did not listen within {timeout} s")


def request(url: str, headers: dict | None = None, form: str | None = None):
    """GET, or POST ``form`` (urlencoded); returns (status, headers, body text).

    Redirects are not followed; the headers are an email.message.Message.
    """
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    headers = dict(headers or {})
    if form is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request(
            "GET" if form is None else "POST",
            path or "/",
            body=None if form is None else form.encode(),
            headers=headers,
        )
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode(errors="replace")
    finally:
        connection.close()
