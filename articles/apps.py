from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("Archive")

    def ready(self):
        """Connect the receivers, here rather than at import, so no import has side effects."""
        from . import names, search
        from .accounts import setup_groups_after_migrate

        post_migrate.connect(setup_groups_after_migrate, sender=self)
        # The index follows every saved article; after a migrate it is (re)installed.
        post_save.connect(
            search.index_saved_article,
            sender="articles.Article",
            dispatch_uid="search_index_article",
        )
        post_migrate.connect(
            search.install_after_migrate, sender=self, dispatch_uid="search_install_index"
        )
        # A place or party saved or deleted here: search and tagging read the names again.
        for model in ("Location", "Party"):
            post_save.connect(
                names.forget, sender=f"articles.{model}", dispatch_uid=f"names-forget-{model}-save"
            )
            post_delete.connect(
                names.forget, sender=f"articles.{model}", dispatch_uid=f"names-forget-{model}-del"
            )
