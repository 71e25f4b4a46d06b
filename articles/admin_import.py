"""The admin's "Import texts" page: editors upload .txt, .zip or .jsonl files, see what landed."""

from collections import Counter

from django import forms
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .ingest import IngestResult, ingest_upload
from .models import Source

IMPORT_PERMISSION = "articles.import_texts"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field; an empty file is let through so ingestion can say why not."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ".txt,.zip,.jsonl,text/plain"})
        )
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        uploads = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        single_clean = super().clean
        return [single_clean(upload, initial) for upload in uploads or [None]]


class ImportTextsForm(forms.Form):
    files = MultipleFileField(
        label=_("Files"),
        help_text=_(
            "One or many .txt files (UTF-8, UTF-16 or Windows-1256), .zip archives of them, "
            "or .jsonl files with one article per line."
        ),
    )
    source = forms.ModelChoiceField(
        Source.objects.all(),
        required=False,
        label=_("Source"),
        help_text=_("For texts that do not name their source."),
    )


class Row:
    """One line of the results table."""

    LABELS = {
        IngestResult.CREATED: _("created"),
        IngestResult.DUPLICATE: _("skipped: duplicate"),
        IngestResult.FAILED: _("refused"),
    }

    def __init__(self, result: IngestResult):
        self.result = result
        self.status = result.status
        self.label = self.LABELS[result.status]
        self.article = result.article or result.duplicate_of
        self.url = (
            reverse("admin:articles_article_change", args=[self.article.pk]) if self.article else ""
        )


def import_texts_view(model_admin, request):
    """Upload form on GET; on POST, ingest every uploaded file and show one row per article."""
    if not (model_admin.has_add_permission(request) and request.user.has_perm(IMPORT_PERMISSION)):
        raise PermissionDenied
    rows: list[Row] = []
    if request.method == "POST":
        form = ImportTextsForm(request.POST, request.FILES)
        if form.is_valid():
            source = form.cleaned_data["source"]
            for upload in form.cleaned_data["files"]:
                with upload.open("rb") as stream:
                    rows.extend(
                        Row(result) for result in ingest_upload(upload.name, stream, source=source)
                    )
            form = ImportTextsForm(initial={"source": source})
    else:
        form = ImportTextsForm()
    counts = Counter(row.status for row in rows)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("Import texts"),
        "form": form,
        "rows": rows,
        "created": counts[IngestResult.CREATED],
        "duplicates": counts[IngestResult.DUPLICATE],
        "refused": counts[IngestResult.FAILED],
    }
    return TemplateResponse(request, "admin/articles/import_texts.html", context)
