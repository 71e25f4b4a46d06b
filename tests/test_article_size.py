"""An article has at most MAX_ARTICLE_BYTES of text, and no page reads a text once per row.

Issue 17: a 20 MB "article" took 45-50 s and 7 GB to open in the admin (its text loaded once
per mention), could never be saved there, and slowed every list it appeared in.
"""

import gzip
import json
import re
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from articles.ingest import article_ingest
from articles.models import MAX_ARTICLE_BYTES, Article, LocationMention

from .conftest import CORPUS

pytestmark = pytest.mark.django_db

# A query that reads an article's whole text, not a slice of it (SUBSTR on SQLite, SUBSTRING
# on PostgreSQL).
WHOLE_BODY = re.compile(r'(?<!SUBSTR\()(?<!SUBSTRING\()"articles_article"\."body"')


def whole_body_reads(queries) -> list[str]:
    return [query["sql"] for query in queries if WHOLE_BODY.search(query["sql"])]


def corpus_text(size: int) -> str:
    """Real news, one article after another, cut to ``size`` bytes of UTF-8 exactly."""
    path = CORPUS / "SkyNews.jsonl.gz"
    parts, total = [], 0
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            parts.append(json.loads(line)["text"].strip())
            total += len(parts[-1].encode())
            if total > size:
                break
    joined = "\n\n".join(parts).encode()[:size].decode("utf-8", "ignore")
    return joined + "." * (size - len(joined.encode()))


@pytest.fixture
def largest(seed_gazetteer):
    """The largest article the archive accepts, real news throughout, tagged."""
    result = article_ingest(text=corpus_text(MAX_ARTICLE_BYTES), origin="largest.txt")
    assert result.status == "created", result.reason
    return result.article


def words_around(mention, article, width=50) -> str:
    """What the admin showed before it cut the words out in the database: the same, please."""
    field, start, end = mention.spans[0]
    text = article.title if field == "title" else article.body
    before = text[max(0, start - width) : start].split("\n")[-1]
    after = text[end : end + width].split("\n")[0]
    return f"…{before}[{text[start:end]}]{after}…"


def admin_form_data(response) -> dict:
    """What the browser posts back from an admin change page, unchanged."""
    forms = [response.context["adminform"].form]
    management = []
    for inline in response.context["inline_admin_formsets"]:
        management.append(inline.formset.management_form)
        forms.extend(inline.formset.forms)
    data = {}
    for form in [*management, *forms]:
        for name in form.fields:
            bound = form[name]
            value = bound.value()
            if value is None or value is False:
                continue
            data[bound.html_name] = "on" if value is True else str(value)
            if bound.field.show_hidden_initial:  # the hidden copy the page carries
                data[bound.html_initial_name] = data[bound.html_name]
    return data


@pytest.mark.corpus
def test_a_text_one_byte_over_the_limit_is_refused_and_one_at_it_lands():
    text = corpus_text(MAX_ARTICLE_BYTES + 1)
    with translation.override("en"):
        refused = article_ingest(text=text, origin="over.txt")
    assert refused.status == "failed"
    assert refused.reason == (
        "the text is 1.1 MB; an article may have at most 1 MB — split it or check the file"
    )
    assert article_ingest(text=text[:-1], origin="at.txt").status == "created"


@pytest.mark.corpus
def test_the_admin_form_refuses_a_text_over_the_limit_and_saves_nothing(editor_client):
    story = Article.objects.create(title="قصف على نوى", body="قصف على نوى", fingerprint="f1")
    url = reverse("admin:articles_article_change", args=[story.pk])
    data = admin_form_data(editor_client.get(url))
    data["body"] = corpus_text(MAX_ARTICLE_BYTES + 300_000)

    response = editor_client.post(
        url, urlencode(data), content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    assert "حجم النص 1.3 ميغابايت، والحد الأقصى للمقال 1 ميغابايت" in response.content.decode()
    story.refresh_from_db()
    assert story.body == "قصف على نوى"


@pytest.mark.corpus
def test_the_largest_allowed_article_opens_and_saves_in_the_admin(editor_client, largest):
    mentions = LocationMention.objects.filter(article=largest).count()
    assert mentions > 20  # real news names many places: the inline has many rows
    url = reverse("admin:articles_article_change", args=[largest.pk])
    with CaptureQueriesContext(connection) as opened:
        page = editor_client.get(url)
    assert page.status_code == 200
    # The form reads the text once; the mention rows bring only the words around each.
    assert len(whole_body_reads(opened.captured_queries)) == 1
    html = page.content.decode()
    for form in page.context["inline_admin_formsets"][0].formset.forms[:10]:
        if form.instance.pk:
            assert escape(words_around(form.instance, largest)) in html

    data = admin_form_data(page)
    data["title"] = "أطول مقال مسموح به"
    # As a browser sends it: URL-encoded, three bytes per byte of Arabic.
    body = urlencode(data)
    assert len(body) > 2.5 * 1024 * 1024  # Django's default limit refused it (HTTP 400)
    response = editor_client.post(url, body, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 302, response.context["adminform"].form.errors
    largest.refresh_from_db()
    assert largest.title == "أطول مقال مسموح به"
    assert LocationMention.objects.filter(article=largest).count() == mentions


@pytest.mark.corpus
def test_review_lists_show_the_words_around_each_mention_without_reading_texts(
    editor_client, largest
):
    tagged = LocationMention.objects.filter(article=largest)
    tagged.update(status="proposed")
    with CaptureQueriesContext(connection) as listed:
        page = editor_client.get(reverse("admin:articles_locationmention_changelist"))
    assert page.status_code == 200
    assert whole_body_reads(listed.captured_queries) == []
    shown = list(page.context["cl"].result_list)
    assert len(shown) == min(50, tagged.count())
    # Each row shows the words around its place, cut from the text by the database.
    html = page.content.decode()
    for mention in shown:
        assert escape(words_around(mention, largest)) in html


@pytest.mark.corpus
@pytest.mark.parametrize(
    "url",
    [
        reverse("admin:articles_article_changelist"),
        reverse("article-list"),
        reverse("article-list") + "?q=%D8%AF%D9%85%D8%B4%D9%82",  # دمشق
    ],
)
def test_lists_never_read_an_article_s_whole_text(editor_client, largest, url):
    with CaptureQueriesContext(connection) as listed:
        page = editor_client.get(url)
    assert page.status_code == 200
    assert escape(largest.title) in page.content.decode()
    assert whole_body_reads(listed.captured_queries) == []


DARAA = re.compile(r"(?<![\u0621-\u064a])[وبلف]{0,2}درعا(?![\u0621-\u064a\u064b-\u0652])")


@pytest.mark.corpus
def test_search_snippets_still_mark_the_match_in_corpus_articles(editor_client):
    """Lists read the opening LIST_TEXT_CHARS of each text, longer than any corpus article."""
    records = []
    with gzip.open(CORPUS / "SkyNews.jsonl.gz", "rt", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if DARAA.search(record["text"]) and "درعا" not in record["title"]:
                records.append(record)
            if len(records) == 5:
                break
    for record in records:
        Article.objects.create(
            title=record["title"], body=record["text"], fingerprint=record["docno"][:64]
        )
    page = editor_client.get(reverse("article-list") + "?q=%D8%AF%D8%B1%D8%B9%D8%A7")  # درعا
    snippets = re.findall(r'<p class="snippet"[^>]*>(.*?)</p>', page.content.decode(), re.S)
    assert len(snippets) == 5
    assert all(re.search("<mark>[وبلف]{0,2}درعا</mark>", snippet) for snippet in snippets)
