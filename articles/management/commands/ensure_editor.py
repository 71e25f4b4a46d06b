"""Create the first editor account, so a fresh install can be used at once.

Does nothing when any staff account exists. The password is random and printed once;
there is never a fixed default. The account is an editor (staff, group Editors: adds, changes
and views, imports texts; deletes nothing), not a superuser: a superuser, who also manages
accounts and deletes, is made with ``manage.py createsuperuser``.
"""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from articles.accounts import EDITORS, setup_groups


class Command(BaseCommand):
    help = "Create an editor account (group Editors) with a random password if no staff exists."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="editor")

    @transaction.atomic
    def handle(self, *args, username, **options):
        User = get_user_model()
        if User.objects.filter(is_staff=True).exists():
            self.stdout.write("An editor account already exists; nothing to do.")
            return
        password = secrets.token_urlsafe(12)
        user = User.objects.create_user(username=username, password=password, is_staff=True)
        setup_groups()
        user.groups.add(Group.objects.get(name=EDITORS))
        self.stdout.write(
            self.style.SUCCESS(
                f"Created editor account '{username}' with password: {password}\n"
                "Write it down: it is shown only this once."
            )
        )
        self.stdout.write(
            "It edits and imports articles, places, parties and sources; to manage accounts "
            "and delete, make a superuser with: python manage.py createsuperuser"
        )
