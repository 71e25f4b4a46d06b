from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("Archive")

    def ready(self):
        from .accounts import setup_groups_after_migrate

        post_migrate.connect(setup_groups_after_migrate, sender=self)
