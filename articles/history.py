"""Bringing back what was deleted: an article returns with the mentions deleted along with it.

Every save and delete of an article, place, party, source or mention through the ORM leaves a
historical record (django-simple-history) with who and when. Bulk paths leave none: Django's
``bulk_create`` and ``QuerySet.update`` send no signals. That is accepted for ingestion, which
may create thousands of articles at once — their creation is already recorded by the article's
own ``origin`` and ``created_at`` — but every later edit goes through ``save()`` in the admin
and is recorded, and so is every deletion (cascaded mentions included), so nothing that was
deleted is out of reach.
"""

from datetime import timedelta

from django.db import transaction

from .models import Article, LocationMention, PartyMention

# Mentions deleted by the same cascade as their article are recorded a few milliseconds
# before it; a minute is ample and still excludes a mention removed by hand earlier on.
CASCADE_WINDOW = timedelta(minutes=1)


def deleted_articles():
    """Deletion records of the articles that are still gone, newest first."""
    return (
        Article.history.filter(history_type="-")
        .exclude(id__in=Article.objects.values("pk"))
        .order_by("-history_date")
    )


@transaction.atomic
def restore_mentions(article: Article) -> int:
    """Complete a restored ``article``: its first creation date and the mentions deleted with it.

    Returns how many mentions came back.
    """
    deletion = article.history.filter(history_type="-").order_by("-history_date").first()
    if deletion is None:
        return 0
    # Saving re-inserts the row, and Django stamps a fresh "added" date on any insert.
    Article.objects.filter(pk=article.pk).update(created_at=deletion.created_at)
    article.created_at = deletion.created_at
    restored = 0
    for model, target in ((LocationMention, "location_id"), (PartyMention, "party_id")):
        records = model.history.filter(
            article_id=article.pk,
            history_type="-",
            history_date__range=(deletion.history_date - CASCADE_WINDOW, deletion.history_date),
        ).order_by("-history_date")
        seen = set(model.objects.filter(article=article).values_list(target, flat=True))
        for record in records:
            if getattr(record, target) in seen or model.objects.filter(pk=record.id).exists():
                continue
            mention = record.instance
            mention._history_user = getattr(article, "_history_user", None)
            mention.save()
            seen.add(getattr(record, target))
            restored += 1
    return restored


@transaction.atomic
def restore_article(record, *, user=None) -> Article:
    """Bring back a deleted article from its deletion record, with its mentions."""
    article = record.instance
    article._history_user = user
    article.save()
    restore_mentions(article)
    return article
