"""The editors' browse pages: search and filter, and a page per article, place, party, source."""

import math
from functools import cached_property, wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, TemplateView
from django_filters.views import FilterView

from . import facets, search
from .accounts import READ_ARCHIVE
from .filters import ArticleFilter
from .ingest import read_also
from .models import Article, Location, Party, Source

PAGE_SIZE = 20
MAP_POINTS = 400


def archive_read(view):
    """Let a reader in: a member of Readers or Editors, or anyone when ARCHIVE_PUBLIC_READ is on.

    A logged-in account without the permission (in no group) gets a 403 page saying so, not
    the login page again. Nothing is stored by the browser or a proxy: a shared computer must
    not show the archive to the next person after a logout.
    """

    @never_cache
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if settings.ARCHIVE_PUBLIC_READ or request.user.has_perm(READ_ARCHIVE):
            return view(request, *args, **kwargs)
        if request.user.is_authenticated:
            raise PermissionDenied(
                _(
                    "Your account cannot read the archive: ask an administrator to add it to "
                    "the Readers or Editors group."
                )
            )
        return redirect_to_login(request.get_full_path())

    return wrapped


class CappedPaginator(Paginator):
    """Counts at most CAP results: beyond that the page says "more than 10,000"."""

    CAP = 10_000

    @cached_property
    def count(self):
        # Only the ids: a search's ranking need not be computed to count its matches.
        counted = self.object_list.order_by().values("pk")[: self.CAP + 1].count()
        self.more = counted > self.CAP
        return min(counted, self.CAP)

    more = False

    def page(self, number):
        """The page's ids are sorted first, then only its own rows are read in full.

        Sorting thousands of matches carries just their ids and sort keys, not their text.
        """
        page = super().page(number)
        ids = list(page.object_list.values_list("pk", flat=True))
        rows = {article.pk: article for article in self.object_list.filter(pk__in=ids)}
        page.object_list = [rows[pk] for pk in ids if pk in rows]
        return page


def paginate(request, articles, per_page: int = PAGE_SIZE):
    """A page of articles; a missing, bad or too-large page number gives the nearest page."""
    paginator = CappedPaginator(articles.for_lists(), per_page)
    return paginator.get_page(request.GET.get("page"))


def facet_scope(context, articles) -> facets.Scope:
    """The articles a page's facets count (see facets.scope), and what the page says of it."""
    counted = facets.NOTHING if articles is None else facets.scope(articles)
    context.update(facets_partial=counted.partial, facets_sample=facets.SAMPLE)
    return counted


def with_snippets(articles, query):
    """Mark the search's words in each article's title and in a snippet of its text."""
    if query is None:
        return articles
    for article in articles:
        article.marked_title = search.highlight(article.title, query)
        article.snippet = search.snippet(article.opening, query)
    return articles


class ArticleListView(FilterView):
    """Search and browse: the filters, the result count, a page of results and the facets."""

    filterset_class = ArticleFilter
    queryset = Article.objects.all()
    template_name = "articles/article_list.html"
    paginate_by = PAGE_SIZE
    paginator_class = CappedPaginator

    def paginate_queryset(self, queryset, page_size):
        page = paginate(self.request, queryset.with_related(), page_size)
        return page.paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        articles = self.object_list
        filterset = context["filter"]
        invalid = filterset.is_bound and not filterset.is_valid()
        has_results = not invalid and context["paginator"].count > 0
        with_snippets(context["page_obj"].object_list, filterset.query())
        counted = facet_scope(context, articles if has_results else None)
        context.update(
            invalid=invalid,
            facet_places=facets.top_locations(counted),
            facet_parties=facets.top_parties(counted),
            facet_sources=facets.top_sources(counted),
            query_string=self.request.GET.urlencode(),
        )
        return context


class ArticleDetailView(DetailView):
    queryset = Article.objects.with_related()
    template_name = "articles/article_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        titles = read_also(self.object.body)
        found = {
            article.title: article
            for article in Article.objects.filter(title__in=titles).only("pk", "title")
        }
        context["related"] = [(title, found.get(title)) for title in titles]
        context["query"] = search.parse_query(self.request.GET.get("q", ""))
        return context


class ArticlesOfMixin:
    """A detail page that lists the articles of its object, newest first, with facets."""

    filter_param: str  # the browse page's filter for this object

    def articles(self):
        raise NotImplementedError

    def counted(self, context) -> facets.Scope:
        """The articles the page's "most mentioned" lists count."""
        return facet_scope(context, self.articles() if context["paginator"].count else None)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        articles = self.articles()
        text = self.request.GET.get("q", "").strip()
        query = search.parse_query(text) if text else None
        if query is not None:
            articles = articles.search(query)
        page = paginate(self.request, articles.newest_first().with_related())
        context.update(
            page_obj=page,
            paginator=page.paginator,
            articles=with_snippets(page.object_list, query),
            q=text,
            search_link=f"{reverse('article-list')}?{self.filter_param}={self.object.pk}",
        )
        return context


class LocationDetailView(ArticlesOfMixin, DetailView):
    model = Location
    filter_param = "location"
    template_name = "articles/location_detail.html"

    def articles(self):
        return Article.objects.in_location(self.object)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        place = self.object
        below = list(
            place.descendants()
            .filter(latitude__isnull=False, longitude__isnull=False)
            .order_by("path")[:MAP_POINTS]
        )
        context.update(
            ancestors=place.ancestors(),
            children=place.children.order_by("name_ar"),
            top_parties=facets.top_parties(self.counted(context)),
            map=place_map(place, below),
            feed_link=reverse("location-feed", args=[place.pk]),
        )
        return context


class PartyDetailView(ArticlesOfMixin, DetailView):
    model = Party
    queryset = Party.objects.select_related("parent")
    filter_param = "party"
    template_name = "articles/party_detail.html"

    def articles(self):
        return Article.objects.with_party(self.object)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            children=self.object.children.order_by("name_ar"),
            top_places=facets.top_locations(self.counted(context)),
        )
        return context


class SourceDetailView(ArticlesOfMixin, DetailView):
    model = Source
    filter_param = "source"
    template_name = "articles/source_detail.html"

    def articles(self):
        return Article.objects.from_source(self.object)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counted = self.counted(context)
        context.update(
            top_places=facets.top_locations(counted),
            top_parties=facets.top_parties(counted),
        )
        return context


class AboutView(TemplateView):
    template_name = "about.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:  # written with the gazetteer import; until then the page states the licences
            context["attribution"] = get_template("includes/attribution.html")
        except TemplateDoesNotExist:
            context["attribution"] = None
        return context


def place_map(place: Location, others: list[Location], size: int = 320, pad: int = 24):
    """Points for a small square SVG map: equirectangular, scaled to the places shown."""
    points = [p for p in [place, *others] if p.latitude is not None and p.longitude is not None]
    if not points:
        return None
    scale_x = math.cos(math.radians(sum(p.latitude for p in points) / len(points)))
    xs = [p.longitude * scale_x for p in points]
    ys = [-p.latitude for p in points]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 0.05)  # degrees shown across the map
    inner = size - 2 * pad
    # Centre the drawing along its shorter side.
    left = pad + (inner - (max(xs) - min(xs)) / span * inner) / 2
    top = pad + (inner - (max(ys) - min(ys)) / span * inner) / 2
    return {
        "size": size,
        "points": [
            {
                "x": round(left + (x - min(xs)) / span * inner, 1),
                "y": round(top + (y - min(ys)) / span * inner, 1),
                "place": p,
                "current": p.pk == place.pk,
            }
            for p, x, y in zip(points, xs, ys, strict=True)
        ],
        "labels": len(points) <= 30,
    }
