"""Sources, places, parties, articles and the mentions that tie them together; imports.

One module per family: ``named`` (what has names: sources, places, parties), ``article``
(articles, their reads and their mentions), ``import_jobs`` (the admin's imports). Everything
is imported from here, as ``articles.models``.
"""

from .article import (
    ASSERTED,
    LIST_TEXT_CHARS,
    MAX_ARTICLE_BYTES,
    NEWEST_FIRST,
    REVIEW_ORDER,
    Article,
    ArticleQuerySet,
    LocationMention,
    Mention,
    MentionQuerySet,
    MentionStatus,
    PartyMention,
    megabytes,
    text_size,
    validate_article_size,
)
from .import_jobs import ImportJob, ImportJobRow
from .named import (
    ALIASES_HELP,
    Location,
    Named,
    Party,
    Source,
    build_path,
    path_ids,
    split_aliases,
)

__all__ = [
    "ALIASES_HELP",
    "ASSERTED",
    "LIST_TEXT_CHARS",
    "MAX_ARTICLE_BYTES",
    "NEWEST_FIRST",
    "Article",
    "ArticleQuerySet",
    "ImportJob",
    "ImportJobRow",
    "Location",
    "LocationMention",
    "Mention",
    "MentionQuerySet",
    "MentionStatus",
    "Named",
    "Party",
    "PartyMention",
    "REVIEW_ORDER",
    "Source",
    "build_path",
    "megabytes",
    "path_ids",
    "split_aliases",
    "text_size",
    "validate_article_size",
]
