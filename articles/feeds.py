"""Atom feeds: one per search (the browse page's parameters) and one per place."""

import datetime

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from .api import invalid
from .filters import ArticleFilter
from .models import Article, Location

FEED_SIZE = 50


class ArticleFeed(Feed):
    feed_type = Atom1Feed
    language = "ar"

    def item_title(self, article):
        return article.title

    def item_description(self, article):
        return Truncator(article.body).chars(400)

    def item_author_name(self, article):
        return article.byline or None

    def item_pubdate(self, article):
        if article.published is None:
            return article.created_at
        midnight = datetime.datetime.combine(article.published, datetime.time())
        return timezone.make_aware(midnight)

    def item_updateddate(self, article):
        return article.updated_at

    def item_categories(self, article):
        return [m.location.name_ar for m in article.location_mentions.all()]


class InvalidFilters(Exception):
    def __init__(self, errors):
        super().__init__(errors)
        self.errors = errors


class SearchFeed(ArticleFeed):
    """The newest articles of the search in the query string."""

    def __call__(self, request, *args, **kwargs):
        # A bad filter value is the asker's mistake: a 400 saying which, as the API and the
        # exports answer, not the 404 of a feed that does not exist.
        try:
            return super().__call__(request, *args, **kwargs)
        except InvalidFilters as error:
            return invalid(error.errors)

    def get_object(self, request):
        filterset = ArticleFilter(request.GET, queryset=Article.objects.all())
        if not filterset.is_valid():
            raise InvalidFilters(filterset.errors)
        return filterset

    def title(self, filterset):
        return _("Newsroom archive: search results")

    def link(self, filterset):
        return f"{reverse('article-list')}?{filterset.data.urlencode()}"

    def items(self, filterset):
        return filterset.qs.newest_first().with_related()[:FEED_SIZE]


class LocationFeed(ArticleFeed):
    """The newest articles about a place or anything inside it."""

    def get_object(self, request, pk):
        return get_object_or_404(Location, pk=pk)

    def title(self, place):
        return _("Newsroom archive: %(place)s") % {"place": place.name_ar}

    def link(self, place):
        return place.get_absolute_url()

    def items(self, place):
        return Article.objects.in_location(place).newest_first().with_related()[:FEED_SIZE]
