"""Production settings and the headers every response carries."""

import os
import re
import secrets
import subprocess
import sys

import pytest
from django.urls import reverse

from articles.models import Article

from .archive_data import archive_urls, build_archive
from .conftest import PASSWORD, PROJECT

pytestmark = pytest.mark.django_db


def production_env(**overrides) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL"))
    }
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="archive.example.org",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://archive.example.org",
    )
    env.update(overrides)
    return env


def deploy_check(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_is_clean_with_the_production_environment():
    result = deploy_check(production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_is_clean_behind_a_tls_terminating_proxy():
    env = production_env(DJANGO_SECURE_SSL_REDIRECT="0", DJANGO_SECURE_PROXY_SSL_HEADER="1")
    result = deploy_check(env)
    # Django still reminds that the redirect is off; the proxy does it in this set-up.
    assert "security.W008" in result.stderr
    assert "security.W0" not in result.stderr.replace("security.W008", "")


def test_deploy_check_fails_when_cookies_would_travel_over_plain_http():
    result = deploy_check(production_env(DJANGO_SECURE_COOKIES="0"))
    assert result.returncode != 0
    assert "SESSION_COOKIE_SECURE" in result.stderr
    assert "CSRF_COOKIE_SECURE" in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = production_env()
    del env["DJANGO_SECRET_KEY"]
    result = deploy_check(env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def assert_security_headers(response):
    csp = response["Content-Security-Policy"]
    directives = dict(
        (part.split()[0], part.split()[1:]) for part in csp.split(";") if part.strip()
    )
    assert directives["script-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)


def assert_nothing_inline(html: str):
    """What the policy would block: the page must work without any of it."""
    assert not INLINE_SCRIPT.findall(html)
    assert not INLINE_HANDLER.findall(html)
    assert not INLINE_STYLE.findall(html)


def test_admin_login_page_carries_the_security_headers(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 200
    assert_security_headers(response)
    assert_nothing_inline(response.content.decode())


@pytest.mark.parametrize(
    "url_name",
    ["admin:index", "admin:articles_article_changelist", "admin:articles_article_add"],
)
def test_admin_pages_carry_the_headers_and_need_no_inline_script(editor_client, url_name):
    response = editor_client.get(reverse(url_name))
    assert response.status_code == 200
    assert_security_headers(response)
    assert_nothing_inline(response.content.decode())


def test_a_missing_page_carries_the_security_headers(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert_security_headers(response)


def test_plain_http_is_redirected_to_https_in_production(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get(reverse("admin:login"))
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_https_responses_tell_browsers_to_stay_on_https(client):
    response = client.get(reverse("admin:login"), secure=True)
    assert "max-age=31536000" in response["Strict-Transport-Security"]


def test_session_and_csrf_cookies_are_secure_and_hidden_from_scripts(client, editor):
    login_page = client.get(reverse("admin:login"), secure=True)
    assert login_page.cookies["csrftoken"]["secure"]
    response = client.post(
        reverse("admin:login"),
        {"username": "editor", "password": PASSWORD, "next": "/admin/"},
        secure=True,
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"]
    assert session["samesite"] == "Lax"


def assert_never_stored(response, url):
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    assert {"private", "no-store"} <= directives, (url, response.get("Cache-Control"))


def test_archive_pages_api_exports_and_feeds_are_never_stored(reader):
    """A shared computer must not keep the archive's pages after its user logged out."""
    for url in archive_urls(build_archive()):
        response = reader.get(url)
        assert response.status_code == 200, url
        assert_never_stored(response, url)


def test_admin_pages_are_never_stored(editor_client):
    story = Article.objects.create(title="خبر", body="نص", fingerprint="f1")
    for url in [
        reverse("admin:index"),
        reverse("admin:articles_article_changelist"),
        reverse("admin:articles_article_change", args=[story.pk]),
        reverse("admin:articles_article_history", args=[story.pk]),
        reverse("admin:articles_locationmention_changelist"),
    ]:
        response = editor_client.get(url)
        assert response.status_code == 200, url
        assert_never_stored(response, url)
