"""Data entry for editors: every model, with mentions as inlines on the article."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ORDER_VAR
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import formats
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .admin_filters import OwnFiltersChangeList, PartyFilter, PlaceFilter, ReviewStatusFilter
from .admin_import import import_texts_view
from .history import deleted_articles, restore_mentions
from .models import (
    Article,
    Location,
    LocationMention,
    MentionStatus,
    Party,
    PartyMention,
    Source,
)
from .tagging import context, decide, with_context


class OwnFiltersAdmin(admin.ModelAdmin):
    def get_changelist(self, request, **kwargs):
        return OwnFiltersChangeList


def id_or_404(field, value):
    """The URL's id as ``field`` reads it; a 404 for one that cannot be (``abc``)."""
    try:
        return field.to_python(unquote(value))
    except ValidationError as error:
        raise Http404 from error


class HistoryAdmin(OwnFiltersAdmin, SimpleHistoryAdmin):
    """History for everyone who may view a record; reverting only for who may change it.

    django-simple-history's revert form checks just the view permission and saves whatever is
    posted to it, so a Reader could change any record (or bring back a deleted article) by
    posting the form; its ``revert_disabled`` only hides the button. Here it decides.
    """

    object_history_list_template = "admin/history_list.html"

    def revert_disabled(self, request, obj=None):
        if obj is not None and not self.model._default_manager.filter(pk=obj.pk).exists():
            # A deletion record: reverting to it creates the record again.
            return not self.has_add_permission(request)
        return super().revert_disabled(request, obj) or not self.has_change_permission(request, obj)

    def history_view(self, request, object_id, extra_context=None):
        id_or_404(self.model._meta.pk, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        history = self.model.history.model
        record = get_object_or_404(
            history,
            **{
                self.model._meta.pk.attname: id_or_404(self.model._meta.pk, object_id),
                "history_id": id_or_404(history._meta.pk, version_id),
            },
        )
        if self.revert_disabled(request, record.instance):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(Source)
class SourceAdmin(HistoryAdmin):
    list_display = ["name_ar", "name_en", "kind", "url"]
    list_filter = ["kind"]
    search_fields = ["name_ar", "name_en", "aliases"]


@admin.register(Location)
class LocationAdmin(HistoryAdmin):
    list_display = ["name_ar", "name_en", "kind", "parent", "ambiguous", "ocha_pcode"]
    list_filter = ["kind", "ambiguous"]
    list_select_related = ["parent"]
    search_fields = ["name_ar", "name_en", "aliases", "ocha_pcode"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["breadcrumb"]
    fields = [
        "breadcrumb",
        "name_ar",
        "name_en",
        "kind",
        "parent",
        "aliases",
        "ambiguous",
        ("latitude", "longitude"),
        ("ocha_pcode", "geonames_id"),
        "key",
    ]

    @admin.display(description=_("where"))
    def breadcrumb(self, place):
        """The chain from the country down: Syria › governorate › district › ... › this place."""
        if not place.pk:
            return "—"
        return " › ".join(p.name_ar for p in [*place.ancestors(), place])


@admin.register(Party)
class PartyAdmin(HistoryAdmin):
    list_display = ["name_ar", "name_en", "kind", "parent", "ambiguous"]
    list_filter = ["kind", "ambiguous"]
    list_select_related = ["parent"]
    search_fields = ["name_ar", "name_en", "aliases"]
    autocomplete_fields = ["parent"]


class MentionInline(admin.TabularInline):
    readonly_fields = ["words_around"]
    extra = 1

    def get_queryset(self, request):
        # Proposals first, they are what the editor has to decide on; rejected ones last. Each
        # brings the words around it, never the article's text (read once per mention, a long
        # text cost gigabytes).
        return with_context(super().get_queryset(request)).for_review()

    @admin.display(description=_("in the text"))
    def words_around(self, mention):
        return context(mention) if mention.pk else ""


class LocationMentionInline(MentionInline):
    model = LocationMention
    fields = ["location", "status", "words_around", "spans"]
    autocomplete_fields = ["location"]


class PartyMentionInline(MentionInline):
    model = PartyMention
    fields = ["party", "status", "words_around", "spans"]
    autocomplete_fields = ["party"]


class ArticleAdminForm(forms.ModelForm):
    """Optimistic locking: a save based on an outdated copy of the article is refused."""

    # The version the editor's copy was loaded at; not the model field, which the save sets.
    based_on_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Article
        fields = ["title", "body", "source", "byline", "published", "url"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self._current_version()
        # A revert form starts from an old record: it replaces what is there now.
        self.fields["based_on_version"].initial = current or self.instance.version

    def _current_version(self, *, lock: bool = False) -> int | None:
        if self.instance.pk is None:
            return None
        rows = Article.objects.filter(pk=self.instance.pk)
        if lock:  # held until the admin's transaction ends, so a concurrent save waits
            rows = rows.select_for_update()
        return rows.values_list("version", flat=True).first()

    def clean(self):
        cleaned = super().clean()
        submitted = cleaned.get("based_on_version")
        current = self._current_version(lock=True)
        if current is not None and submitted is None:
            # Every form of ours sends it (change, revert, restore); without it the copy may be
            # older than the text, and saving it would silently undo someone's changes.
            raise forms.ValidationError(
                _(
                    "This form did not say which version of the article it was based on, so "
                    "your changes were NOT saved. Copy them, reload the page and apply them again."
                ),
                code="no_version",
            )
        if current is not None and submitted != current:
            raise forms.ValidationError(self._conflict_message(), code="conflict")
        self.instance.version = (current or submitted or 0) + 1
        return cleaned

    def _conflict_message(self) -> str:
        latest = self.instance.history.order_by("-history_date").first()
        who = latest.history_user if latest and latest.history_user else _("someone else")
        when = formats.localize(latest.history_date) if latest else ""
        return _(
            "%(who)s saved this article (%(when)s) while you were editing it, so your changes "
            "were NOT saved. Copy them, reload the page to see the current text, and apply "
            "them again."
        ) % {"who": who, "when": when}


class ArticleChangeList(OwnFiltersChangeList):
    """The list shows titles: the articles' texts and index vectors stay unread."""

    def get_queryset(self, request, exclude_parameters=None):
        return super().get_queryset(request, exclude_parameters).without_index().defer("body")


@admin.register(Article)
class ArticleAdmin(HistoryAdmin):
    form = ArticleAdminForm
    list_display = ["title", "source", "byline", "published", "created_at"]
    list_filter = [
        "source",
        PlaceFilter,
        PartyFilter,
        "published",
    ]
    list_select_related = ["source"]
    date_hierarchy = "published"
    autocomplete_fields = ["source"]
    readonly_fields = ["origin", "fingerprint", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "body", "based_on_version"]}),
        (_("Where it came from"), {"fields": ["source", "byline", "published", "url", "origin"]}),
        (_("Record"), {"fields": ["fingerprint", "created_at", "updated_at"]}),
    ]
    inlines = [LocationMentionInline, PartyMentionInline]
    # Only turns the search box on: get_search_results sends the text to the archive's search.
    search_fields = ["title"]
    search_help_text = _('Town names in any form (درعا finds بدرعا), "phrases", OR, -word.')
    # Adds the "Import texts" button (articles/admin_import.py) above the list.
    change_list_template = "admin/articles/article/change_list.html"

    def get_urls(self):
        import_texts = self.admin_site.admin_view(lambda request: import_texts_view(self, request))
        return [
            path("import/", import_texts, name="articles_article_import"),
            *super().get_urls(),
        ]

    def get_changelist(self, request, **kwargs):
        return ArticleChangeList

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        found = queryset.search(search_term)  # best matches first...
        if ORDER_VAR in request.GET:  # ...unless the editor sorted by a column
            found = found.order_by(*queryset.query.order_by)
        return found, False

    def save_model(self, request, obj, form, change):
        # "Revert" on the history of a deleted article brings it back, mentions included.
        recovering = change and not Article.objects.filter(pk=obj.pk).exists()
        super().save_model(request, obj, form, change)
        if recovering:
            restored = restore_mentions(obj)
            self.message_user(
                request,
                _("Article restored with %(count)d mentions.") % {"count": restored},
                messages.SUCCESS,
            )

    def response_delete(self, request, obj_display, obj_id):
        self.message_user(
            request,
            format_html(
                _('It can be brought back from <a href="{}">deleted articles</a>.'),
                reverse("admin:articles_historicalarticle_changelist"),
            ),
            messages.INFO,
        )
        return super().response_delete(request, obj_display, obj_id)


@admin.register(Article.history.model)
class DeletedArticleAdmin(OwnFiltersAdmin):
    """Articles deleted and not yet restored, each with a link to restore it."""

    list_display = ["title", "history_date", "history_user", "restore"]
    list_select_related = ["history_user"]

    def get_queryset(self, request):
        return deleted_articles()

    @admin.display(description=_("restore"))
    def restore(self, record):
        url = reverse("admin:articles_article_simple_history", args=[record.id, record.pk])
        return format_html('<a href="{}">{}</a>', url, _("review and restore"))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MentionAdmin(HistoryAdmin):
    """The review queue: proposed mentions, with the words around them, confirmed or rejected
    in bulk."""

    list_filter = [ReviewStatusFilter]
    list_select_related = ["article"]
    raw_id_fields = ["article"]
    actions = ["confirm", "reject"]
    list_per_page = 50

    def get_queryset(self, request):
        # Each row shows its article's title and the words around the mention: the database
        # cuts those out, and the articles' texts stay where they are.
        rows = with_context(super().get_queryset(request)).select_related("article")
        return rows.defer("article__body", "article__search_vector", "article__rank_vector")

    @admin.display(description=_("in the text"))
    def words_around(self, mention):
        return context(mention)

    # Without permissions, Django offers an action to anyone who may view the list.
    @admin.action(permissions=["change"], description=_("Confirm the selected mentions"))
    def confirm(self, request, queryset):
        changed = decide(queryset, MentionStatus.CONFIRMED)
        self.message_user(request, _("%(n)d mentions confirmed.") % {"n": changed})

    @admin.action(permissions=["change"], description=_("Reject the selected mentions"))
    def reject(self, request, queryset):
        changed = decide(queryset, MentionStatus.REJECTED)
        self.message_user(request, _("%(n)d mentions rejected.") % {"n": changed})


@admin.register(LocationMention)
class LocationMentionAdmin(MentionAdmin):
    list_display = ["location", "words_around", "article", "status"]
    list_select_related = ["location", "article"]
    list_filter = [ReviewStatusFilter, "location__kind", "location__ambiguous"]
    autocomplete_fields = ["location"]
    search_fields = ["location__name_ar", "location__name_en"]


@admin.register(PartyMention)
class PartyMentionAdmin(MentionAdmin):
    list_display = ["party", "words_around", "article", "status"]
    list_select_related = ["party", "article"]
    autocomplete_fields = ["party"]
    search_fields = ["party__name_ar", "party__name_en"]
