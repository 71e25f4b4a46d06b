"""Template helpers of the browse pages: names in the reader's language and marked-up text."""

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from .. import search
from ..models import MentionStatus

register = template.Library()


@register.filter
def display_name(named) -> str:
    """The English name in the English interface when there is one, otherwise the Arabic."""
    if get_language() == "en" and getattr(named, "name_en", ""):
        return named.name_en
    return named.name_ar


def _mention_spans(mentions, field: str, length: int):
    """(start, end, mention, target) of every usable span in one field, rejected ones left out."""
    spans = []
    for mention in mentions:
        if mention.status == MentionStatus.REJECTED:
            continue
        target = mention.location if hasattr(mention, "location_id") else mention.party
        for span in mention.spans or []:
            try:
                where, start, end = span
                start, end = int(start), int(end)
            except (TypeError, ValueError):
                continue  # a malformed span is skipped, the text still shows
            if where == field and 0 <= start < end <= length:
                spans.append((start, end, mention, target))
    # Earliest first, and at one start the longest ("الغارية الغربية" before "الغارية").
    spans.sort(key=lambda span: (span[0], -span[1]))
    return spans


def mark_mentions(text: str, field: str, mentions, plain=escape) -> str:
    """The text, escaped, with each place or party mention as a link to its page.

    ``plain`` renders the stretches between (and inside) the links, e.g. with search terms
    highlighted. Overlapping spans keep the first.
    """
    pieces, position = [], 0
    for start, end, mention, target in _mention_spans(mentions, field, len(text)):
        if start < position:
            continue
        kind = "place" if hasattr(mention, "location_id") else "party"
        pieces.append(plain(text[position:start]))
        pieces.append(
            format_html(
                '<a class="mention mention-{} mention-{}" href="{}" title="{}">{}</a>',
                kind,
                mention.status,
                target.get_absolute_url(),
                f"{display_name(target)} · {mention.get_status_display()}",
                plain(text[start:end]),
            )
        )
        position = end
    pieces.append(plain(text[position:]))
    return mark_safe("".join(str(piece) for piece in pieces))


@register.simple_tag
def marked(article, field: str, query=None):
    """An article's title or body with its mentions linked and a search's words marked."""
    mentions = [*article.location_mentions.all(), *article.party_mentions.all()]
    if query:
        return mark_mentions(
            getattr(article, field), field, mentions, lambda text: search.highlight(text, query)
        )
    return mark_mentions(getattr(article, field), field, mentions)


@register.simple_tag(takes_context=True)
def narrow(context, name: str, value) -> str:
    """The current search's query string with one filter set, back on the first page."""
    params = context.request.GET.copy()
    params[name] = value
    params.pop("page", None)
    return f"?{params.urlencode()}"
