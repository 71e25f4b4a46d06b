"""Importing the real gazetteer: OpenSyria + GeoNames into one tree, editors' CSV, seeds."""

import csv
from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from articles.arabic import normalize
from articles.models import Location, Party, Source
from articles.placedata import clean_arabic

from .conftest import GAZETTEER_DATA as GAZETTEER

pytestmark = pytest.mark.django_db

OPENSYRIA = GAZETTEER / "opensyria"
GEONAMES = GAZETTEER / "geonames" / "sy_cities500.tsv"


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def geonames_ids() -> set[int]:
    with GEONAMES.open(encoding="utf-8") as handle:
        return {int(row["geonameid"]) for row in csv.DictReader(handle, delimiter="\t")}


@pytest.fixture
def imported():
    run("import_locations", str(OPENSYRIA), str(GEONAMES))


def assert_whole_country():
    kinds = Counter(Location.objects.values_list("kind", flat=True))
    assert kinds["governorate"] == 14
    assert kinds["district"] == 62
    assert kinds["subdistrict"] == 272
    towns_known = set(Location.objects.values_list("geonames_id", flat=True))
    assert geonames_ids() <= towns_known  # every GeoNames town is a place, merged or its own

    syria = Location.objects.get(parent=None, kind="country", name_ar="سوريا")
    assert not Location.objects.exclude(path__startswith=syria.path).exclude(kind="country")


def assert_no_duplicate_places():
    rows = Location.objects.values_list("name_ar", "parent")
    seen = Counter((normalize(name), parent) for name, parent in rows)
    assert [key for key, count in seen.items() if count > 1] == []


@pytest.mark.corpus
def test_import_builds_the_whole_country_in_one_tree(imported):
    assert_whole_country()
    assert_no_duplicate_places()


@pytest.mark.corpus
def test_import_twice_changes_nothing(imported):
    before = list(Location.objects.order_by("pk").values())
    output = run("import_locations", str(OPENSYRIA), str(GEONAMES))
    assert "0 created, 0 updated" in output
    assert list(Location.objects.order_by("pk").values()) == before


@pytest.mark.corpus
def test_town_merges_with_its_namesake_subdistrict(imported):
    nawa = Location.objects.get(ocha_pcode="SY120303")
    assert nawa.geonames_id == 166365  # the GeoNames town نوى, not a second place
    assert Location.objects.filter(name_ar__in=["نوى", "نوا"]).count() == 1
    assert "نوا" in nawa.alias_list()
    assert [p.name_ar for p in nawa.ancestors()] == ["سوريا", "درعا", "إزرع"]


@pytest.mark.corpus
def test_town_sits_under_its_governorate_and_nearest_subdistrict(imported):
    tafas = Location.objects.get(geonames_id=163806)
    chain = [place.kind for place in tafas.ancestors()]
    assert chain == ["country", "governorate", "district", "subdistrict"]
    assert tafas.ancestors()[1].ocha_pcode == "SY12"  # Daraa governorate


@pytest.mark.corpus
def test_kurdish_and_persian_spellings_are_left_out(imported):
    daraa = Location.objects.get(geonames_id=170905)
    assert daraa.name_ar == "درعا"
    assert "دەرعا" not in daraa.aliases
    assert "dەrʿa" not in daraa.aliases
    tartus = Location.objects.get(geonames_id=163345)
    assert tartus.name_ar == "طرطوس"  # the usual spelling, not the variant listed first


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("درعا", "درعا"),
        ("دەرعا", None),
        ("اردوگاه یرموک", None),
        ("مجدل شمس.\u200e", "مجدل شمس"),
        ("د مشق", None),
        ("Daraa", None),
    ],
)
def test_clean_arabic_keeps_only_plain_arabic_names(raw, clean):
    assert clean_arabic(raw) == clean


def write_csv(tmp_path, rows: str):
    path = tmp_path / "additions.csv"
    path.write_text(rows, encoding="utf-8")
    return str(path)


@pytest.mark.corpus
def test_editors_csv_adds_places_and_reports_bad_rows(imported, tmp_path):
    path = write_csv(
        tmp_path,
        "name_ar,name_en,kind,parent,aliases,latitude,longitude\n"
        "الكرك الشرقي,Al-Karak al-Sharqi,village,SY120302,الكرك|Karak,32.69,36.35\n"
        "بلدة بلا أب,Orphan,village,no-such-place,,,\n"
        "خربة,Bad kind,hamlet,SY12,,,\n",
    )
    with pytest.raises(CommandError, match="2 rows could not be imported"):
        run("import_locations", path)
    karak = Location.objects.get(name_ar="الكرك الشرقي")
    assert karak.parent.ocha_pcode == "SY120302"
    assert karak.alias_list() == ["الكرك", "Karak"]
    assert not Location.objects.filter(name_en__in=["Orphan", "Bad kind"]).exists()


@pytest.mark.corpus
def test_editors_aliases_survive_a_reimport(imported):
    tafas = Location.objects.get(geonames_id=163806)
    tafas.aliases += "\nطفس البلد"
    tafas.save()
    run("import_locations", str(OPENSYRIA), str(GEONAMES))
    tafas.refresh_from_db()
    assert "طفس البلد" in tafas.alias_list()
    assert "Tafas" in tafas.alias_list()


def test_load_seeds_starts_with_the_whole_country_and_can_run_again():
    run("load_seeds", "--no-articles")
    assert_no_duplicate_places()
    if GEONAMES.exists():
        assert_whole_country()
    counts = (Location.objects.count(), Party.objects.count(), Source.objects.count())
    assert "0 created, 0 updated" in run("load_seeds", "--no-articles")
    assert (Location.objects.count(), Party.objects.count(), Source.objects.count()) == counts

    seed_places = ["الغارية الغربية", "رخم", "الصورة", "علما", "المليحة الغربية", "الجولان"]
    for name in seed_places:
        assert Location.objects.get(name_ar=name).latitude is not None
    assert Location.objects.get(key="jordan").parent is None
    assert Source.objects.get(key="rozana").alias_list()[0] == "راديو روزنة"
    russia = Party.objects.get(key="russia")
    assert {"الروسي", "الروسية", "الروس"} <= set(russia.alias_list())


def test_load_seeds_leaves_editors_rows_alone():
    run("load_seeds", "--no-articles")
    mine = Location.objects.create(
        name_ar="حي المنشية", parent=Location.objects.get(geonames_id=170905)
    )
    rozana = Source.objects.get(key="rozana")
    rozana.aliases += "\nإذاعة روزنة"
    rozana.save()
    run("load_seeds", "--no-articles")
    assert Location.objects.get(pk=mine.pk).name_ar == "حي المنشية"
    assert "إذاعة روزنة" in Source.objects.get(key="rozana").alias_list()
