"""The 403, 404 and 500 pages speak the interface's language and look like the archive."""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views.defaults import server_error

from articles.accounts import READERS


def arabic_page(html: str):
    assert '<html lang="ar" dir="rtl">' in html
    assert "/static/css/archive.css" in html
    assert "أرشيف غرفة الأخبار" in html  # the site's name in its header


@pytest.mark.django_db
def test_a_missing_page_says_so_in_arabic(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    arabic_page(html)
    assert "الصفحة غير موجودة" in html
    assert "Not Found" not in html


@pytest.mark.django_db
def test_a_missing_page_says_so_in_english_when_english_is_chosen(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/no-such-page/").content.decode()
    assert '<html lang="en" dir="ltr">' in html
    assert "Page not found" in html


@pytest.mark.django_db
def test_a_refused_page_says_so_in_arabic(client, account):
    from articles.models import Article

    story = Article.objects.create(title="خبر", body="نص", fingerprint="f1")
    client.force_login(account("reading", READERS, staff=True))
    record = story.history.get()
    url = reverse("admin:articles_article_simple_history", args=[story.pk, record.pk])
    response = client.get(url)
    assert response.status_code == 403
    html = response.content.decode()
    arabic_page(html)
    assert "لا يمكن لحسابك" in html
    assert "403 Forbidden" not in html


def test_the_server_error_page_needs_neither_the_request_nor_the_database():
    """Django renders 500.html with no context at all; the database may be what failed.

    (Not marked django_db: pytest-django fails the test on any database access.)
    """
    request = RequestFactory().get("/articles/")
    with translation.override("ar"):
        response = server_error(request)
    assert response.status_code == 500
    html = response.content.decode()
    arabic_page(html)
    assert "خطأ في الخادم" in html
    assert "Server Error" not in html
