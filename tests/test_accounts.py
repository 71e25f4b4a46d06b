"""Who may see and change what: groups, staff-only admin, login rate limit."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from articles.accounts import EDITORS, READERS
from articles.models import Article

from .archive_data import archive_urls

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-and-unusual-password-7"


def make_staff(django_user_model, username, group):
    user = django_user_model.objects.create_user(username, password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def story():
    return Article.objects.create(title="قصف على نوى", body="قصف على نوى", fingerprint="f1")


def test_migrate_creates_editors_who_add_and_change_but_do_not_delete():
    codenames = set(Group.objects.get(name=EDITORS).permissions.values_list("codename", flat=True))
    for model in ["article", "location", "party", "source", "locationmention", "partymention"]:
        assert {f"add_{model}", f"change_{model}", f"view_{model}"} <= codenames
        assert f"delete_{model}" not in codenames
    assert "import_texts" in codenames


def test_migrate_creates_readers_who_only_view():
    codenames = set(Group.objects.get(name=READERS).permissions.values_list("codename", flat=True))
    assert codenames == {
        "view_article",
        "view_location",
        "view_party",
        "view_source",
        "view_locationmention",
        "view_partymention",
    }


def test_reader_sees_an_article_in_the_admin_but_cannot_change_it(client, django_user_model, story):
    client.force_login(make_staff(django_user_model, "reader", READERS))
    url = reverse("admin:articles_article_change", args=[story.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()

    response = client.post(url, {"title": "عنوان مزور", "body": "نص"})
    assert response.status_code == 403
    story.refresh_from_db()
    assert story.title == "قصف على نوى"
    assert client.get(reverse("admin:articles_article_add")).status_code == 403


def test_editor_changes_an_article_but_cannot_delete_it(client, django_user_model, story):
    client.force_login(make_staff(django_user_model, "writer", EDITORS))
    change = client.get(reverse("admin:articles_article_change", args=[story.pk]))
    assert 'name="_save"' in change.content.decode()
    delete = client.get(reverse("admin:articles_article_delete", args=[story.pk]))
    assert delete.status_code == 403
    assert Article.objects.filter(pk=story.pk).exists()


def test_admin_is_closed_to_accounts_that_are_not_staff(client, django_user_model):
    outsider = django_user_model.objects.create_user("outsider", password=PASSWORD)
    outsider.groups.add(Group.objects.get(name=EDITORS))
    client.force_login(outsider)
    response = client.get(reverse("admin:articles_article_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_anonymous_visitor_is_sent_to_the_admin_login(client):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_first_editor_account_joins_the_editors_group(django_user_model):
    out = StringIO()
    call_command("ensure_editor", stdout=out)
    editor = django_user_model.objects.get(username="editor")
    assert editor.is_staff
    assert list(editor.groups.values_list("name", flat=True)) == [EDITORS]
    assert "password" in out.getvalue()


def test_first_editor_account_is_an_editor_not_a_superuser(client, django_user_model):
    out = StringIO()
    call_command("ensure_editor", stdout=out)
    password = out.getvalue().split("password: ")[1].split()[0]
    editor = django_user_model.objects.get(username="editor")
    assert not editor.is_superuser
    assert editor.has_perm("articles.change_article")
    assert not editor.has_perm("articles.delete_article")
    assert not editor.has_perm("auth.change_user")  # cannot make itself a superuser
    assert editor.check_password(password)
    assert "createsuperuser" in out.getvalue()  # and the way to make one is said

    call_command("ensure_editor", stdout=(again := StringIO()))
    assert "password" not in again.getvalue()  # shown once; the account is left as it is
    assert django_user_model.objects.count() == 1


def admin_login(client, username, password):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR="203.0.113.9",
    )


def test_login_is_locked_after_five_wrong_passwords_even_with_the_right_one(
    client, django_user_model, settings
):
    make_staff(django_user_model, "writer", EDITORS)
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        response = admin_login(client, "writer", "wrong-guess")
        assert response.status_code == 200  # the form again, with its error
    assert admin_login(client, "writer", "wrong-guess").status_code == 429

    response = admin_login(client, "writer", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_of_one_account_leaves_other_editors_logging_in(
    client, django_user_model, settings
):
    make_staff(django_user_model, "writer", EDITORS)
    make_staff(django_user_model, "other", EDITORS)
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        admin_login(client, "writer", "wrong-guess")

    response = admin_login(client, "other", PASSWORD)
    assert response.status_code == 302
    other = django_user_model.objects.get(username="other")
    assert client.session["_auth_user_id"] == str(other.pk)


def test_right_password_before_the_limit_logs_in_and_resets_the_count(
    client, django_user_model, settings
):
    make_staff(django_user_model, "writer", EDITORS)
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        admin_login(client, "writer", "wrong-guess")
    assert admin_login(client, "writer", PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        admin_login(client, "writer", "wrong-guess")
    assert admin_login(client, "writer", PASSWORD).status_code == 302


# Reading the archive needs the Readers or Editors group (or a superuser), not just a login.


@pytest.mark.parametrize("staff", [False, True], ids=["plain account", "staff account"])
def test_an_account_in_no_group_reads_nothing(client, account, archive, staff):
    client.force_login(account("nobody", staff=staff))
    for url in archive_urls(archive):
        response = client.get(url)
        assert response.status_code == 403, url
        content = b"".join(response) if response.streaming else response.content
        assert archive.seed.title.encode() not in content, url
    page = client.get(reverse("article-list")).content.decode()
    assert '<html lang="ar" dir="rtl">' in page
    assert "لا يمكن لحسابك" in page  # "your account cannot ...", and what to ask for


def test_an_account_in_no_group_is_not_sent_round_in_circles(client, account, archive):
    client.force_login(account("nobody"))
    response = client.get(reverse("login"), {"next": reverse("article-list")}, follow=True)
    assert response.status_code == 403
    assert len(response.redirect_chain) == 1


@pytest.mark.parametrize("group", [READERS, EDITORS])
def test_readers_and_editors_read_the_whole_archive(client, account, archive, group):
    client.force_login(account("member", group))
    for url in archive_urls(archive):
        assert client.get(url).status_code == 200, url


def test_a_superuser_in_no_group_reads_the_archive(client, django_user_model, archive):
    client.force_login(django_user_model.objects.create_superuser("chief", password=PASSWORD))
    for url in archive_urls(archive):
        assert client.get(url).status_code == 200, url


def test_public_reading_opens_the_archive_to_accounts_in_no_group_too(
    client, account, archive, settings
):
    settings.ARCHIVE_PUBLIC_READ = True
    client.force_login(account("nobody"))
    assert client.get(reverse("article-list")).status_code == 200


# One password tried over many user names from one address.


@pytest.fixture
def address_limit(settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 8
    return settings.LOGIN_ADDRESS_FAILURE_LIMIT


def test_an_address_trying_many_user_names_is_locked_out(client, django_user_model, address_limit):
    make_staff(django_user_model, "writer", EDITORS)
    for number in range(address_limit - 1):
        assert admin_login(client, f"guess{number}", "Summer2024!").status_code == 200
    assert admin_login(client, "guess-last", "Summer2024!").status_code == 429

    # Locked for everyone from that address, even with a right password...
    assert admin_login(client, "writer", PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session
    # ...but not from another address.
    response = client.post(
        reverse("admin:login"),
        {"username": "writer", "password": PASSWORD, "next": reverse("admin:index")},
        REMOTE_ADDR="198.51.100.4",
    )
    assert response.status_code == 302


def test_a_right_password_does_not_clear_the_address_count(
    client, django_user_model, settings, address_limit
):
    """Else an attacker with one account of their own could reset the count at will."""
    make_staff(django_user_model, "mole", READERS)
    for number in range(address_limit - 1):
        admin_login(client, f"guess{number}", "Summer2024!")
    assert admin_login(client, "mole", PASSWORD).status_code == 302
    client.logout()
    assert admin_login(client, "guess-next", "Summer2024!").status_code == 429


def test_leaving_the_readers_group_takes_effect_at_the_next_page(client, account, archive):
    member = account("member", READERS)
    client.force_login(member)
    assert client.get(reverse("article-list")).status_code == 200
    member.groups.clear()
    assert client.get(reverse("article-list")).status_code == 403
