"""The admin's "Import texts" page and the page of each import.

Editors upload .txt, .zip or .jsonl files; the upload becomes a job that a process of its own
imports (jobs.py), and the editor is taken to the job's page: a progress bar while it runs, the
report of every text at the end. Small uploads take the same road as large ones, so there is one
way an import runs and one report.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from . import jobs
from .ingest import IngestResult
from .models import Article, ImportJob, ImportJobRow, Source

IMPORT_PERMISSION = "articles.import_texts"
REPORT_PAGE_SIZE = 500  # rows of a report on one page
RECENT_JOBS = 5  # listed under the upload form

STATE_LABELS = {
    **dict(ImportJob.Status.choices),
    jobs.INTERRUPTED: _("interrupted"),
}


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
    """One line of a job's report."""

    LABELS = {
        IngestResult.CREATED: _("created"),
        IngestResult.DUPLICATE: _("skipped: duplicate"),
        IngestResult.FAILED: _("refused"),
    }

    def __init__(self, row: ImportJobRow, titles: dict[int, str]):
        self.origin = row.origin
        self.status = row.status
        self.label = self.LABELS.get(row.status, row.status)
        self.reason = row.reason
        self.notes = row.notes.splitlines()
        self.article_id = row.article_id
        self.title = titles.get(row.article_id, "")
        self.url = (
            reverse("admin:articles_article_change", args=[row.article_id])
            if row.article_id in titles
            else ""
        )


def may_import(request) -> bool:
    return request.user.has_perm(IMPORT_PERMISSION) and request.user.has_perm(
        "articles.add_article"
    )


def import_texts_view(model_admin, request):
    """Upload form on GET; on POST, store the files as a job, start it and go to its page."""
    if not (model_admin.has_add_permission(request) and may_import(request)):
        raise PermissionDenied
    if request.method == "POST":
        form = ImportTextsForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                job = jobs.create_job(
                    user=request.user,
                    uploads=form.cleaned_data["files"],
                    source=form.cleaned_data["source"],
                    language=get_language(),
                )
            except jobs.JobError as error:
                form.add_error(
                    None, _("The files could not be stored: %(error)s") % {"error": error}
                )
            else:
                jobs.start(job)
                return redirect("admin:articles_importjob_change", job.pk)
    else:
        form = ImportTextsForm()
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("Import texts"),
        "form": form,
        "recent": [
            (job, STATE_LABELS[jobs.state(job)])
            for job in ImportJobAdmin.visible(request)[:RECENT_JOBS]
        ],
    }
    return TemplateResponse(request, "admin/articles/import_texts.html", context)


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """The imports an editor started (a superuser sees everyone's); each opens on its page."""

    list_display = ["__str__", "state_label", "created", "duplicates", "refused", "created_at"]
    list_select_related = ["user"]
    list_per_page = 50

    @staticmethod
    def visible(request):
        found = ImportJob.objects.select_related("user")
        return found if request.user.is_superuser else found.filter(user=request.user)

    def get_queryset(self, request):
        return self.visible(request)

    def get_list_display(self, request):
        return [*self.list_display, "user"] if request.user.is_superuser else self.list_display

    @admin.display(description=_("state"))
    def state_label(self, job):
        return STATE_LABELS[jobs.state(job)]

    def has_module_permission(self, request):
        return may_import(request)

    def has_view_permission(self, request, obj=None):
        return may_import(request) and (
            obj is None or request.user.is_superuser or obj.user_id == request.user.pk
        )

    def has_add_permission(self, request):
        return False  # through "Import texts"

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:job_id>/status/", wrap(self.status_view), name="articles_importjob_status"),
            path("<int:job_id>/again/", wrap(self.again_view), name="articles_importjob_again"),
            *super().get_urls(),
        ]

    def _job(self, request, job_id) -> ImportJob:
        if not may_import(request):
            raise PermissionDenied
        job = self.visible(request).filter(pk=job_id).first() if str(job_id).isdigit() else None
        if job is None:
            raise Http404(_("No such import."))
        return job

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The job's page: its progress while it runs, its report when it is over."""
        job = self._job(request, object_id)
        state = jobs.state(job)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import #%(number)s") % {"number": job.pk},
            "job": job,
            "state": state,
            "state_label": STATE_LABELS[state],
            "finished": state in jobs.FINISHED,
            "interrupted": state == jobs.INTERRUPTED,
            "can_run_again": jobs.can_run_again(job),
            "progress_max": max(job.total, job.done, 1),
            "status_url": reverse("admin:articles_importjob_status", args=[job.pk]),
            "again_url": reverse("admin:articles_importjob_again", args=[job.pk]),
            "import_url": reverse("admin:articles_article_import"),
        }
        if state in jobs.FINISHED:
            context.update(self._report(request, job))
        return TemplateResponse(request, "admin/articles/import_job.html", context)

    def _report(self, request, job: ImportJob) -> dict:
        shown = request.GET.get("status", "")
        rows = job.rows.all()
        if shown in Row.LABELS:
            rows = rows.filter(status=shown)
        page = Paginator(rows, REPORT_PAGE_SIZE).get_page(request.GET.get("page"))
        ids = {row.article_id for row in page.object_list if row.article_id}
        titles = dict(Article.objects.filter(pk__in=ids).values_list("pk", "title"))
        return {
            "rows": [Row(row, titles) for row in page.object_list],
            "page_obj": page,
            "shown": shown,
            "filters": [("", _("all")), *Row.LABELS.items()],
        }

    def status_view(self, request, job_id):
        """What the job page polls: the job's state and counts, as JSON."""
        job = self._job(request, job_id)
        state = jobs.state(job)
        return JsonResponse(
            {
                "state": state,
                "label": str(STATE_LABELS[state]),
                "finished": state in jobs.FINISHED,
                "done": job.done,
                "total": max(job.total, job.done),
                "created": job.created,
                "duplicates": job.duplicates,
                "refused": job.refused,
            }
        )

    def again_view(self, request, job_id):
        """Run an interrupted or failed import again; what landed comes back as duplicates."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        job = self._job(request, job_id)
        if jobs.can_run_again(job):
            jobs.run_again(job)
            self.message_user(request, _("The import runs again."), messages.SUCCESS)
        else:
            self.message_user(request, _("This import cannot be run again."), messages.WARNING)
        return redirect("admin:articles_importjob_change", job.pk)
