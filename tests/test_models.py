import pytest

from articles.models import (
    Article,
    Location,
    LocationMention,
    MentionStatus,
    build_path,
    path_ids,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def daraa_tree():
    syria = Location.objects.create(name_ar="سوريا", name_en="Syria", kind="country")
    daraa = Location.objects.create(
        name_ar="درعا", name_en="Daraa", kind="governorate", parent=syria
    )
    tafas = Location.objects.create(name_ar="طفس", name_en="Tafas", parent=daraa)
    homs = Location.objects.create(name_ar="حمص", name_en="Homs", kind="governorate", parent=syria)
    return syria, daraa, tafas, homs


def article(title, **kwargs):
    return Article.objects.create(title=title, body=title, fingerprint=title, **kwargs)


def test_location_path_follows_the_tree(daraa_tree):
    syria, daraa, tafas, homs = daraa_tree
    assert tafas.path == f"/{syria.pk}/{daraa.pk}/{tafas.pk}/"
    assert tafas.ancestors() == [syria, daraa]
    assert set(syria.descendants()) == {daraa, tafas, homs}


def test_moving_a_place_moves_everything_under_it(daraa_tree):
    syria, daraa, tafas, homs = daraa_tree
    daraa.parent = homs
    daraa.save()
    tafas.refresh_from_db()
    assert tafas.ancestors() == [syria, homs, daraa]


def test_in_location_includes_places_below_and_skips_rejected(daraa_tree):
    syria, daraa, tafas, homs = daraa_tree
    in_tafas = article("اشتباكات في طفس")
    rejected = article("خبر عن طفس رفضه المحرر")
    in_homs = article("قصف على حمص")
    LocationMention.objects.create(article=in_tafas, location=tafas)
    LocationMention.objects.create(article=rejected, location=tafas, status=MentionStatus.REJECTED)
    LocationMention.objects.create(article=in_homs, location=homs)

    assert list(Article.objects.in_location(daraa)) == [in_tafas]
    assert set(Article.objects.in_location(syria)) == {in_tafas, in_homs}


@pytest.mark.parametrize(
    "parent_path, pk, path, ids",
    [
        (None, 1, "/1/", [1]),
        ("/1/", 14, "/1/14/", [1, 14]),
        ("/1/14/", 203, "/1/14/203/", [1, 14, 203]),
    ],
)
def test_a_place_path_is_built_under_its_parent_and_read_back_from_the_root(
    parent_path, pk, path, ids
):
    assert build_path(parent_path, pk) == path
    assert path_ids(path) == ids


def test_reads_by_mention_status_see_only_mentions_in_that_state(daraa_tree):
    syria, daraa, tafas, homs = daraa_tree
    found = article("اشتباكات في طفس")
    rejected = article("خبر عن طفس رفضه المحرر")
    proposed = article("قصف على حمص")
    LocationMention.objects.create(article=found, location=tafas)
    LocationMention.objects.create(article=rejected, location=tafas, status=MentionStatus.REJECTED)
    LocationMention.objects.create(article=proposed, location=homs, status=MentionStatus.PROPOSED)

    assert list(Article.objects.in_location(daraa, status=MentionStatus.REJECTED)) == [rejected]
    assert list(Article.objects.in_location(syria, status=MentionStatus.PROPOSED)) == [proposed]
    assert list(Article.objects.in_location(homs, status=MentionStatus.FOUND)) == []
    assert list(Article.objects.with_status(MentionStatus.REJECTED)) == [rejected]
    assert set(Article.objects.with_status(MentionStatus.FOUND)) == {found}
