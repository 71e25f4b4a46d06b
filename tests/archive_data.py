"""A small archive for the page, API and browser tests: the seed article and corpus excerpts.

Places and mentions are made by hand here, with spans found in the real text, so the pages can
be tested on their own; the gazetteer's tagging is tested where it lives.
"""

import datetime
from dataclasses import dataclass
from pathlib import Path

from django.urls import reverse

from articles.models import (
    Article,
    Location,
    LocationMention,
    MentionStatus,
    Party,
    PartyMention,
    Source,
)
from articles.search import index_articles

SEED = Path(__file__).resolve().parents[1] / "seeds" / "articles" / "000_5e3cd00a1820727e.txt"
SEED_TITLE = "فشل الجولة الثانية من المفاوضات بين المعارضة وروسيا في درعا"
RELATED_TITLE = "اتفاق بين النظام وفصيل معارض حول بصرى الشام بدرعا"

# Excerpts of ANT corpus articles (Sky News Arabia and France 24, 2018), cut short.
HOMS_TITLE = 'إسرائيل تطالب روسيا بـ"رد الجميل" في سوريا'
HOMS_BODY = (
    'طلب وزير الدفاع الإسرائيلي أفيغدور ليبرمان من روسيا "رد الجميل"، بانتهاج سياسية أكثر '
    "دعما لمصالح إسرائيل فيما يتعلق بسوريا وإيران.\n"
    "وجاء النداء في أعقاب خطوة نادرة اتخذتها موسكو، بتوجيه أصابع الاتهام إلى إسرائيل في ضربة "
    "جوية في سوريا في التاسع من أبريل الماضي استهدفت قاعدة التيفور العسكرية في ريف حمص."
)
BUSRA_BODY = (
    "توصلت فصائل المعارضة في مدينة بصرى الشام بريف درعا الشرقي إلى اتفاق مع الجانب الروسي "
    "يقضي بتسليم السلاح الثقيل مقابل عودة المدنيين إلى بلداتهم."
)


# Short real texts: the seed article's paragraphs and a BBC Arabic item (ANT corpus, Apache-2.0).
TAFAS = (
    "من جهتها منعت فصائل الجيش الحر في مدينة طفس غرب درعا دخول الشرطة الروسية وقوات النظام، "
    "ورفضت شروط المفاوضات بعد موافقتهم الأولية عليها."
)
DISPLACED = (
    "ونزح عشرات آلاف المدنيين من بلدات بريف درعا نحو الحدود الأردنية وخط الفصل مع الجولان "
    "المحتل، هرباً من عمليات القصف."
)
ANTONOV = (
    "أعرب السفير الروسي لدى الولايات المتحدة، أناتولي أنتونوف، عن قلق بلاده إزاء مؤشرات على "
    "استعدادات أمريكية لشن ضربات جوية أخرى ضد سوريا."
)


def spans(text: str, word: str, field: str = "body") -> list[list]:
    """[field, start, end] of every occurrence of a word in a text."""
    found, start = [], text.find(word)
    while start != -1:
        found.append([field, start, start + len(word)])
        start = text.find(word, start + len(word))
    return found


@dataclass
class Archive:
    syria: Location
    daraa: Location
    tafas: Location
    busra: Location
    alma: Location
    homs: Location
    russia: Party
    fsa: Party
    rozana: Source
    skynews: Source
    seed: Article
    related: Article
    homs_article: Article


def mention(article, target, status=MentionStatus.FOUND, *words):
    words = words or (target.name_ar,)
    found = []
    for word in words:
        found += spans(article.title, word, "title") + spans(article.body, word)
    model = LocationMention if isinstance(target, Location) else PartyMention
    field = "location" if isinstance(target, Location) else "party"
    return model.objects.create(article=article, status=status, spans=found, **{field: target})


def build_archive() -> Archive:
    syria = Location.objects.create(
        name_ar="سوريا", name_en="Syria", kind="country", latitude=35.0, longitude=38.5
    )
    daraa = Location.objects.create(
        name_ar="درعا",
        name_en="Daraa",
        kind="governorate",
        parent=syria,
        latitude=32.62,
        longitude=36.10,
        aliases="Deraa\nDar'a",
    )
    tafas = Location.objects.create(
        name_ar="طفس", name_en="Tafas", parent=daraa, latitude=32.74, longitude=35.99
    )
    busra = Location.objects.create(
        name_ar="بصرى الشام", name_en="Busra al-Sham", parent=daraa, latitude=32.52, longitude=36.48
    )
    alma = Location.objects.create(name_ar="علما", name_en="Alma", parent=daraa, ambiguous=True)
    homs = Location.objects.create(
        name_ar="حمص",
        name_en="Homs",
        kind="governorate",
        parent=syria,
        latitude=34.73,
        longitude=36.72,
    )
    russia = Party.objects.create(
        name_ar="روسيا", name_en="Russia", kind="foreign_state", aliases="الروسي\nالروسية\nروس"
    )
    fsa = Party.objects.create(name_ar="الجيش الحر", name_en="Free Syrian Army", kind="opposition")
    rozana = Source.objects.create(name_ar="روزنة", name_en="Rozana", kind="radio")
    skynews = Source.objects.create(name_ar="سكاي نيوز عربية", name_en="Sky News Arabia")

    seed = Article.objects.create(
        title=SEED_TITLE,
        body=SEED.read_text("utf-8"),
        source=rozana,
        byline="علي المحاميد",
        published=datetime.date(2018, 7, 4),
        origin="seeds/articles/000_5e3cd00a1820727e.txt",
        fingerprint="seed",
    )
    mention(seed, daraa)
    mention(seed, tafas, MentionStatus.CONFIRMED)
    mention(seed, busra, MentionStatus.PROPOSED)
    mention(seed, alma, MentionStatus.REJECTED)
    mention(seed, russia, MentionStatus.FOUND, "روسيا", "الروسي")
    mention(seed, fsa, MentionStatus.CONFIRMED)

    related = Article.objects.create(
        title=RELATED_TITLE,
        body=BUSRA_BODY,
        source=rozana,
        published=datetime.date(2018, 7, 2),
        fingerprint="related",
    )
    mention(related, busra, MentionStatus.CONFIRMED)
    mention(related, daraa)
    mention(related, russia, MentionStatus.FOUND, "الروسي")

    homs_article = Article.objects.create(
        title=HOMS_TITLE,
        body=HOMS_BODY,
        source=skynews,
        byline="أبوظبي - سكاي نيوز عربية",
        published=datetime.date(2018, 5, 3),
        url="https://www.skynewsarabia.com/middle-east/1049133",
        fingerprint="homs",
    )
    mention(homs_article, homs)
    mention(homs_article, syria)
    mention(homs_article, russia)
    return Archive(
        syria,
        daraa,
        tafas,
        busra,
        alma,
        homs,
        russia,
        fsa,
        rozana,
        skynews,
        seed,
        related,
        homs_article,
    )


def many_articles(count: int, *, place: Location, party: Party, source: Source) -> None:
    """Many tagged articles at once, for the query-count tests."""
    articles = Article.objects.bulk_create(
        Article(
            title=f"تقرير رقم {n} عن {place.name_ar}",
            body=f"قصف على {place.name_ar} واشتباكات مع {party.name_ar} في اليوم {n}.",
            source=source,
            published=datetime.date(2018, 1, 1) + datetime.timedelta(days=n),
            fingerprint=f"many-{place.pk}-{n}",
        )
        for n in range(count)
    )
    index_articles(articles)  # bulk_create sends no save signals
    LocationMention.objects.bulk_create(
        LocationMention(article=article, location=place, spans=spans(article.body, place.name_ar))
        for article in articles
    )
    PartyMention.objects.bulk_create(
        PartyMention(article=article, party=party, spans=spans(article.body, party.name_ar))
        for article in articles
    )


def archive_urls(archive: Archive) -> list[str]:
    """Every kind of page, data and feed a reader of ``archive`` can open."""
    return [
        reverse("article-list"),
        archive.seed.get_absolute_url(),
        archive.daraa.get_absolute_url(),
        archive.russia.get_absolute_url(),
        archive.rozana.get_absolute_url(),
        reverse("api-article-list"),
        reverse("article-export-csv"),
        reverse("article-export-json"),
        reverse("article-feed"),
        reverse("location-feed", args=[archive.daraa.pk]),
    ]
