"""Production safety: deploy checks, headers, login throttling, health and outages."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import OperationalError
from django.urls import reverse

from tests import factories

ROOT = Path(__file__).resolve().parents[1]


def run_manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS"}}
    environment.update(DJANGO_SETTINGS_MODULE="site_config.settings.production", **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check_with_no_warnings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="bulletins.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "env, complaint",
    [
        ({"ALLOWED_HOSTS": "bulletins.example.org"}, "SECRET_KEY"),
        ({"SECRET_KEY": "short", "ALLOWED_HOSTS": "bulletins.example.org"}, "SECRET_KEY"),
        ({"SECRET_KEY": secrets.token_urlsafe(50)}, "ALLOWED_HOSTS"),
    ],
)
def test_production_refuses_to_start_without_a_real_key_and_hosts(env, complaint):
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert complaint in result.stderr


@pytest.mark.django_db
def test_public_pages_send_a_strict_content_security_policy(client):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_public_pages_have_no_inline_scripts_or_styles(client):
    article = factories.article()
    for url in [
        "/",
        "/issues/",
        article.issue.get_absolute_url(),
        article.get_absolute_url(),
        "/articles/",
        "/sources/",
        "/tags/",
    ]:
        html = client.get(url).text
        assert " style=" not in html, url
        assert "<style" not in html, url
        for chunk in html.split("<script")[1:]:
            head = chunk.split(">", 1)[0]
            assert "src=" in head or "application/ld+json" in head, (url, head)


@pytest.mark.django_db
def test_admin_login_is_locked_after_repeated_failures(client, django_user_model, settings):
    django_user_model.objects.create_user("editor", password="right-password-123", is_staff=True)
    login = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(login, {"username": "editor", "password": "wrong"})
    response = client.post(login, {"username": "editor", "password": "right-password-123"})
    assert response.status_code == 429
    assert "登录已被暂时锁定" in response.text


@pytest.mark.django_db
def test_admin_pages_are_never_cached(admin_client):
    response = admin_client.get(reverse("admin:index"))
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_reports_database_and_cache(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok", "status": "ok"}


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_is_down(client, monkeypatch):
    monkeypatch.setattr("bulletins.health.check_database", lambda: False)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


@pytest.mark.django_db
def test_an_unreachable_database_gives_a_friendly_503(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr("bulletins.views.HomeView.get_context_data", refuse)
    response = client.get("/")
    assert response.status_code == 503
    assert "服务暂时不可用" in response.text
    assert response["Retry-After"] == "30"
    monkeypatch.undo()
    assert client.get("/").status_code == 200
