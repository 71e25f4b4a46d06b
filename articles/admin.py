"""Data entry for editors: every model, with mentions as inlines on the article."""

from django.contrib import admin
from django.contrib.admin.views.main import ORDER_VAR
from django.utils.translation import gettext_lazy as _

from .models import Article, Location, LocationMention, Party, PartyMention, Source


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name_ar", "name_en", "kind", "url"]
    list_filter = ["kind"]
    search_fields = ["name_ar", "name_en", "aliases"]


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["name_ar", "name_en", "kind", "parent", "ambiguous", "ocha_pcode"]
    list_filter = ["kind", "ambiguous"]
    list_select_related = ["parent"]
    search_fields = ["name_ar", "name_en", "aliases", "ocha_pcode"]
    autocomplete_fields = ["parent"]


@admin.register(Party)
class PartyAdmin(admin.ModelAdmin):
    list_display = ["name_ar", "name_en", "kind", "parent", "ambiguous"]
    list_filter = ["kind", "ambiguous"]
    list_select_related = ["parent"]
    search_fields = ["name_ar", "name_en", "aliases"]
    autocomplete_fields = ["parent"]


class LocationMentionInline(admin.TabularInline):
    model = LocationMention
    fields = ["location", "status", "spans"]
    autocomplete_fields = ["location"]
    extra = 1


class PartyMentionInline(admin.TabularInline):
    model = PartyMention
    fields = ["party", "status", "spans"]
    autocomplete_fields = ["party"]
    extra = 1


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "source", "byline", "published", "created_at"]
    list_filter = [
        "source",
        ("locations", admin.RelatedOnlyFieldListFilter),
        ("parties", admin.RelatedOnlyFieldListFilter),
        "published",
    ]
    list_select_related = ["source"]
    date_hierarchy = "published"
    autocomplete_fields = ["source"]
    readonly_fields = ["origin", "fingerprint", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "body"]}),
        (_("Where it came from"), {"fields": ["source", "byline", "published", "url", "origin"]}),
        (_("Record"), {"fields": ["fingerprint", "created_at", "updated_at"]}),
    ]
    inlines = [LocationMentionInline, PartyMentionInline]
    # Only turns the search box on: get_search_results sends the text to the archive's search.
    search_fields = ["title"]
    search_help_text = _('Town names in any form (درعا finds بدرعا), "phrases", OR, -word.')

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        found = queryset.search(search_term)  # best matches first...
        if ORDER_VAR in request.GET:  # ...unless the editor sorted by a column
            found = found.order_by(*queryset.query.order_by)
        return found, False


@admin.register(LocationMention)
class LocationMentionAdmin(admin.ModelAdmin):
    list_display = ["location", "article", "status"]
    list_filter = ["status"]
    list_select_related = ["location", "article"]
    autocomplete_fields = ["location"]
    raw_id_fields = ["article"]


@admin.register(PartyMention)
class PartyMentionAdmin(admin.ModelAdmin):
    list_display = ["party", "article", "status"]
    list_filter = ["status"]
    list_select_related = ["party", "article"]
    autocomplete_fields = ["party"]
    raw_id_fields = ["article"]
