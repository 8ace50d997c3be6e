"""The editors' admin: throttled logins, strong passwords, sessions that end, never cached."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

PASSWORD = "right-password-2025"
LOGIN = "/admin/login/?next=/admin/"


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_user("editor", password=PASSWORD, is_staff=True)


def log_in(client, password=PASSWORD, address="10.0.0.1"):
    return client.post(
        LOGIN,
        {"username": "editor", "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


def fail(client, times, address="10.0.0.1"):
    """Log in with a wrong password ``times`` times; the last answer."""
    for _ in range(times):
        response = log_in(client, "wrong-password", address)
    return response


@pytest.mark.django_db
def test_login_works_until_the_failure_limit(client, editor, settings):
    """Fewer failures than the limit do not stop the editor who then types it right."""
    assert fail(client, settings.AXES_FAILURE_LIMIT - 1).status_code == 200
    response = log_in(client)
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


@pytest.mark.django_db
def test_login_is_locked_after_repeated_failures(client, editor, settings):
    """After AXES_FAILURE_LIMIT failures even the right password is refused, with a page
    that says why (429)."""
    fail(client, settings.AXES_FAILURE_LIMIT)
    response = log_in(client)
    assert response.status_code == 429
    assert "登录已被暂时锁定" in response.text
    assert "sessionid" not in response.cookies


@pytest.mark.django_db
def test_the_lock_holds_a_name_and_address_pair(client, editor, settings):
    """The lock is on this user name from this address: a guesser elsewhere cannot lock
    the editor out of the admin."""
    fail(client, settings.AXES_FAILURE_LIMIT, address="203.0.113.9")
    assert log_in(client, address="203.0.113.9").status_code == 429
    assert log_in(client, address="10.0.0.1").status_code == 302


PROXY = "10.0.0.2"  # the reverse proxy every request arrives from


def through_proxy(client, password, forwarded_for):
    """A login as the documented nginx sends it on: the client's address appended."""
    return client.post(
        LOGIN,
        {"username": "editor", "password": password, "next": "/admin/"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


@pytest.mark.django_db
def test_behind_the_proxy_a_guesser_does_not_lock_the_editor_out(client, editor, settings):
    """Every request comes from the proxy's address; with TRUSTED_PROXY_COUNT=1 the lock
    falls on the guesser's own address, however it dresses up its X-Forwarded-For."""
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        through_proxy(client, "wrong-password", "1.2.3.4, 198.51.100.7")  # 1.2.3.4: forged
    assert through_proxy(client, PASSWORD, "198.51.100.7").status_code == 429
    assert through_proxy(client, PASSWORD, "1.2.3.4, 198.51.100.7").status_code == 429
    assert through_proxy(client, PASSWORD, "203.0.113.9").status_code == 302


@pytest.mark.django_db
def test_without_a_proxy_a_forged_forwarded_for_changes_nothing(client, editor, settings):
    """With no trusted proxy (the default) X-Forwarded-For is the client's own words: the
    lock is on the connecting address whatever the header says."""
    for n in range(settings.AXES_FAILURE_LIMIT):
        through_proxy(client, "wrong-password", f"192.0.2.{n}")
    assert through_proxy(client, PASSWORD, "203.0.113.9").status_code == 429


@pytest.mark.django_db
def test_the_lock_ends_after_the_cool_off_hour(client, editor, settings):
    """An hour after the last failure the editor can log in again."""
    fail(client, settings.AXES_FAILURE_LIMIT)
    assert log_in(client).status_code == 429
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1, minutes=1)
    AccessAttempt.objects.update(attempt_time=an_hour_ago)
    assert log_in(client).status_code == 302


@pytest.mark.parametrize(
    "password, reason",
    [
        ("Ab3$xyz", "password_too_short"),
        ("password123", "password_too_common"),
        ("20250808123456", "password_entirely_numeric"),
        ("zhang.wei.editor", "password_too_similar"),
    ],
)
@pytest.mark.django_db
def test_weak_passwords_are_refused(password, reason):
    """Short, common, all-digit and name-like passwords are refused, each with its reason."""
    user = get_user_model()(username="zhang.wei.editor", email="zhangwei@example.cn")
    with pytest.raises(ValidationError) as error:
        validate_password(password, user)
    assert reason in [e.code for e in error.value.error_list]


@pytest.mark.django_db
def test_a_strong_password_is_accepted():
    user = get_user_model()(username="zhang.wei.editor")
    validate_password("周报-归档-Harbour-7-lantern", user)


@pytest.mark.django_db
def test_the_admin_will_not_create_an_account_with_a_weak_password(admin_client):
    """Adding an editor in the admin with a weak password shows why, and adds no one."""
    response = admin_client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "new-editor",
            "usable_password": "true",
            "password1": "password123",
            "password2": "password123",
        },
    )
    assert response.status_code == 200
    assert "太常见" in response.text
    assert not get_user_model().objects.filter(username="new-editor").exists()


@pytest.mark.django_db
def test_sessions_expire_after_a_working_day(client, editor):
    """A session lasts at most eight hours on the server; an expired one must log in again."""
    assert log_in(client).status_code == 302
    session = Session.objects.get()
    lifetime = session.expire_date - timezone.now()
    assert datetime.timedelta(hours=7, minutes=59) < lifetime <= datetime.timedelta(hours=8)
    assert client.get("/admin/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def cached_pages() -> list[str]:
    return [key for key in cache._cache if ":page:" in key]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/admin/", "/admin/bulletins/issue/", "/admin/bulletins/article/add/"]
)
def test_admin_pages_are_never_cached(admin_client, settings, path):
    """Admin pages tell browsers and proxies not to store them and never enter the page
    cache, even with the page cache on."""
    settings.PAGE_CACHE_SECONDS = 600
    for _ in range(2):
        response = admin_client.get(path)
        assert response.status_code == 200
        assert "X-Page-Cache" not in response
        control = response["Cache-Control"]
        assert {"no-cache", "no-store", "must-revalidate", "private"} <= set(
            part.strip() for part in control.split(",")
        ), control
    assert cached_pages() == []


@pytest.mark.django_db
def test_the_login_page_is_never_cached_for_anonymous_visitors(client, settings):
    """Even the anonymous login page (which carries a CSRF token) stays out of caches."""
    settings.PAGE_CACHE_SECONDS = 600
    client.get("/")
    pages_before = cached_pages()
    assert pages_before, "the page cache should be on for this test"
    response = client.get("/admin/login/")
    assert "no-store" in response["Cache-Control"]
    assert "X-Page-Cache" not in response
    assert cached_pages() == pages_before
