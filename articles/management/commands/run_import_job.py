"""Run one import of the admin's "Import texts" page: the process articles/jobs.py starts.

The admin starts it on its own, detached from the web server, for every upload. An operator
can run it by hand to finish a job that was interrupted: what had landed before is reported
as duplicates. It waits while another import runs. Exits with status 1 when the job failed.
"""

from django.core.management.base import BaseCommand, CommandError

from articles import jobs
from articles.models import ImportJob


class Command(BaseCommand):
    help = "Run an import job of the admin's Import texts page (normally started by the admin)."

    def add_arguments(self, parser):
        parser.add_argument("job", type=int, help="The import's number, as its page shows it.")

    def handle(self, *args, job, **options):
        try:
            finished = jobs.run(job)
        except ImportJob.DoesNotExist:
            raise CommandError(f"No import #{job}.") from None
        summary = (
            f"import #{finished.pk}: {finished.created} created, {finished.duplicates} "
            f"duplicate, {finished.refused} failed"
        )
        if finished.status == ImportJob.Status.FAILED:
            raise CommandError(f"{summary}; the import failed: {finished.error}", returncode=1)
        self.stdout.write(self.style.SUCCESS(summary))
