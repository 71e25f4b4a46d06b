"""The admin's "Import texts" page: upload files, see per file what was created or refused."""

import io
import json
import zipfile

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from articles.ingest import fingerprint
from articles.models import Article, Source

pytestmark = pytest.mark.django_db

IMPORT_URL = "admin:articles_article_import"
TAFAS = (
    "من جهتها منعت فصائل الجيش الحر في مدينة طفس غرب درعا دخول الشرطة الروسية وقوات النظام، "
    "ورفضت شروط المفاوضات بعد موافقتهم الأولية عليها."
)
DISPLACED = (
    "ونزح عشرات آلاف المدنيين من بلدات بريف درعا نحو الحدود الأردنية وخط الفصل مع الجولان "
    "المحتل، هرباً من عمليات القصف."
)


@pytest.fixture
def editor(django_user_model):
    user = django_user_model.objects.create_user("editor", password="x-long-password-1")
    user.is_staff = True
    user.save()
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="articles",
            codename__in=["add_article", "change_article", "view_article", "import_texts"],
        )
    )
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def rows(response) -> list[tuple[str, str]]:
    return [(row.result.origin, row.status) for row in response.context["rows"]]


def test_article_list_links_to_the_import_page(editor_client):
    page = editor_client.get(reverse("admin:articles_article_changelist"))
    assert reverse(IMPORT_URL) in page.content.decode()


def test_import_page_is_an_arabic_right_to_left_upload_form(editor_client):
    page = editor_client.get(reverse(IMPORT_URL))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'lang="ar" dir="rtl"' in html
    assert "<title>استيراد نصوص" in html
    assert 'enctype="multipart/form-data"' in html
    assert 'type="file" name="files"' in html and "multiple" in html


def test_upload_shows_created_duplicate_and_refused_files_with_links(editor_client, seed_text):
    Source.objects.create(name_ar="روزنة", name_en="Rozana", key="rozana")
    original = Article.objects.create(title="طفس", body=TAFAS, fingerprint=fingerprint(TAFAS))
    files = [
        upload("seed.txt", seed_text.encode("cp1256")),
        upload("tafas-again.txt", b"\xef\xbb\xbf" + TAFAS.replace(" ", "  ").encode()),
        upload("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
        upload("empty.txt", b""),
    ]

    response = editor_client.post(reverse(IMPORT_URL), {"files": files})

    assert response.status_code == 200
    assert rows(response) == [
        ("seed.txt", "created"),
        ("tafas-again.txt", "duplicate"),
        ("photo.txt", "failed"),
        ("empty.txt", "failed"),
    ]
    created = Article.objects.exclude(pk=original.pk).get()
    assert created.byline == "علي المحاميد" and created.source.key == "rozana"
    html = response.content.decode()
    assert reverse("admin:articles_article_change", args=[created.pk]) in html
    assert reverse("admin:articles_article_change", args=[original.pk]) in html
    assert "فيه بايتات صفرية (NUL): ملف ثنائي" in html
    assert "الملف فارغ" in html
    assert "أُنشئ 1، وتُخطّي 1 مكرراً، ورُفض 2." in html


def test_upload_zip_and_jsonl_lists_each_article(editor_client):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("daraa/tafas.txt", TAFAS.encode("utf-16"))
        archive.writestr("../../etc/passwd", b"root:x:0:0")
    record = {"id": "n1", "title": "نزوح نحو الحدود الأردنية", "text": DISPLACED}
    feed = json.dumps(record, ensure_ascii=False) + '\n{"id": '  # the second line is cut off

    response = editor_client.post(
        reverse(IMPORT_URL),
        {
            "files": [
                upload("batch.zip", buffer.getvalue()),
                upload("feed.jsonl", feed.encode()),
            ]
        },
    )

    assert rows(response) == [
        ("batch.zip:../../etc/passwd", "failed"),
        ("batch.zip:daraa/tafas.txt", "created"),
        ("feed.jsonl:n1", "created"),
        ("feed.jsonl:2", "failed"),
    ]
    html = response.content.decode()
    assert "المسار يقود إلى خارج الأرشيف" in html
    assert "السطر 2: ليس JSON صالحاً" in html
    assert Article.objects.get(origin="feed.jsonl:n1").title == "نزوح نحو الحدود الأردنية"


def test_chosen_source_applies_to_texts_that_name_none(editor_client):
    enab = Source.objects.create(name_ar="عنب بلدي")
    editor_client.post(
        reverse(IMPORT_URL), {"files": [upload("a.txt", TAFAS.encode())], "source": enab.pk}
    )
    assert Article.objects.get().source == enab


def test_submitting_without_files_asks_for_them(editor_client):
    response = editor_client.post(reverse(IMPORT_URL), {})
    assert response.status_code == 200
    assert response.context["form"].errors["files"]
    assert not Article.objects.exists()


def test_readers_cannot_import(client, django_user_model):
    reader = django_user_model.objects.create_user("reader", password="x-long-password-1")
    reader.is_staff = True
    reader.save()
    reader.groups.add(Group.objects.get(name="Readers"))
    client.force_login(reader)
    assert client.get(reverse(IMPORT_URL)).status_code == 403
    response = client.post(reverse(IMPORT_URL), {"files": [upload("a.txt", TAFAS.encode())]})
    assert response.status_code == 403
    assert not Article.objects.exists()
    page = client.get(reverse("admin:articles_article_changelist"))
    assert reverse(IMPORT_URL) not in page.content.decode()
