"""A text's fields and all its words give, found once and with no database work.

The body is tokenised here once; the same tokens give the fingerprint, the search index's
document, the places and parties it names and the clauses where a reporter may be named.
Nothing here touches the database, so worker processes can prepare the next texts of a long
import while the current batch is saved.
"""

import datetime
import email.utils

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import arabic
from ..gazetteer import Gazetteer
from ..models import MAX_ARTICLE_BYTES, Article, text_size
from ..search import index_document
from .byline import reporter_clauses
from .limits import size_refusal
from .stages import IngestResult, Prepared, Text
from .text import clip, digest, parse_text, trim_blank_lines

TITLE_MAX_CHARS = Article._meta.get_field("title").max_length
URL_MAX_CHARS = Article._meta.get_field("url").max_length


def prepare(text: Text, matcher: Gazetteer) -> Prepared | IngestResult:
    """The text ready for ``save_batch``, or the failure that says why it cannot be saved."""
    size = text_size(text.text)
    if size > MAX_ARTICLE_BYTES:
        return IngestResult.failed(text.origin, size_refusal(_("the text is {size} MB"), size))
    whole = text.text.replace("\r\n", "\n").replace("\r", "\n")
    if text.title is None or not text.title.strip():
        title, body = parse_text(whole)
    else:
        title, body = text.title.strip(), trim_blank_lines(whole)
    tokens = arabic.tokenize(body)
    if not tokens:
        return IngestResult.failed(text.origin, _("the text has no words"))
    title = clip(title, TITLE_MAX_CHARS)
    analysed = (arabic.tokenize(title), tokens)
    notes: list[str] = []
    return Prepared(
        origin=text.origin,
        source=text.source,
        byline=text.byline,
        title=title,
        body=body,
        published=_published_date(text.published, notes),
        url=_checked_url(text.url, notes),
        fingerprint=digest(token.norm for token in tokens),
        notes=notes,
        document=index_document(*analysed),
        mentions=matcher.find(title, body, analysed),
        reporter_clauses=reporter_clauses(body, tokens),
    )


def _published_date(value, notes: list[str]) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    parsed: datetime.date | datetime.datetime | None = None
    for parse in (
        datetime.date.fromisoformat,
        datetime.datetime.fromisoformat,
        email.utils.parsedate_to_datetime,  # "Sun, 18 Feb 2018 21:35:43 +0400" (RSS, the corpus)
    ):
        try:
            parsed = parse(text)
            break
        except (ValueError, TypeError, IndexError):
            continue
    if parsed is None:
        notes.append(_("published date “{value}” not understood; left empty").format(value=text))
        return None
    return _published_date(parsed, notes)


def _checked_url(url: str | None, notes: list[str]) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    try:
        URLValidator()(url)
    except ValidationError:
        notes.append(_("address “{url}” is not a web address; left empty").format(url=url[:100]))
        return ""
    if len(url) > URL_MAX_CHARS:
        notes.append(_("address too long; left empty"))
        return ""
    return url
