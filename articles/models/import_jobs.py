"""The admin's imports: the files an editor uploaded and what became of each text."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .named import Source


class ImportJob(models.Model):
    """Files an editor uploaded in the admin, imported by a process of their own (jobs.py)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting to start")
        RUNNING = "running", _("running")
        DONE = "done", _("finished")
        FAILED = "failed", _("failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        related_name="import_jobs",
        on_delete=models.SET_NULL,
        null=True,
    )
    source = models.ForeignKey(
        Source,
        verbose_name=_("source"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        help_text=_("For texts that do not name their source."),
    )
    language = models.CharField(max_length=10, help_text="The reasons in the report are in it.")
    folder = models.CharField(
        max_length=500, blank=True, help_text="Where the uploaded files wait; empty once deleted."
    )
    files = models.JSONField(
        default=list, help_text='[{"name": as uploaded, "stored": name in the folder, "size"}]'
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0, help_text="Articles expected, estimated.")
    done = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    duplicates = models.PositiveIntegerField(_("duplicates"), default=0)
    refused = models.PositiveIntegerField(_("refused"), default=0)
    error = models.TextField(blank=True)
    pid = models.PositiveIntegerField(null=True, help_text="The process running it, last.")
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    queued_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(_("finished"), null=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self):
        names = [file["name"] for file in self.files]
        shown = "، ".join(names[:3]) + ("، …" if len(names) > 3 else "")
        return f"#{self.pk} {shown}"


class ImportJobRow(models.Model):
    """What became of one text of an import: a line of its report."""

    job = models.ForeignKey(ImportJob, related_name="rows", on_delete=models.CASCADE)
    position = models.PositiveIntegerField()
    status = models.CharField(max_length=10)  # IngestResult.CREATED, DUPLICATE or FAILED
    origin = models.TextField()
    # The article created or found again; a plain id, so that deleting an article later
    # neither touches the reports nor loses what they said.
    article_id = models.PositiveBigIntegerField(null=True)
    reason = models.TextField(blank=True)
    notes = models.TextField(blank=True, help_text="One per line.")

    class Meta:
        ordering = ["job", "position"]
        constraints = [
            models.UniqueConstraint(fields=["job", "position"], name="import_row_position"),
        ]

    def __str__(self):
        return f"{self.origin}: {self.status}"
