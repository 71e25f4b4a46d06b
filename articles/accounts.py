"""Who may do what: the Editors and Readers groups, and the rate-limited login backend."""

from axes.backends import AxesStandaloneBackend
from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions

EDITORS = "Editors"
READERS = "Readers"

# Everything an editor corrects by hand; deleting stays with the superusers (and is
# recoverable from history anyway).
EDITED_MODELS = ["article", "location", "party", "source", "locationmention", "partymention"]
IMPORT_TEXTS = ("import_texts", "Can import texts")

GROUP_PERMISSIONS = {
    EDITORS: [
        f"{action}_{model}" for model in EDITED_MODELS for action in ("add", "change", "view")
    ]
    + [IMPORT_TEXTS[0]],
    READERS: [f"view_{model}" for model in EDITED_MODELS],
}


def setup_groups(*, apps=global_apps, verbosity: int = 0) -> None:
    """Create (or bring up to date) the two groups; safe to run after every migrate."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")

    create_permissions(global_apps.get_app_config("articles"), verbosity=0, apps=apps)
    article_type = ContentType.objects.get_by_natural_key("articles", "article")
    Permission.objects.get_or_create(
        content_type=article_type, codename=IMPORT_TEXTS[0], defaults={"name": IMPORT_TEXTS[1]}
    )
    for name, codenames in GROUP_PERMISSIONS.items():
        group, created = Group.objects.get_or_create(name=name)
        permissions = Permission.objects.filter(
            content_type__app_label="articles", codename__in=codenames
        )
        missing = set(codenames) - {p.codename for p in permissions}
        if missing:
            raise RuntimeError(f"Permissions missing for group {name}: {sorted(missing)}")
        group.permissions.set(permissions)
        if verbosity >= 2 and created:
            print(f"Created group {name}")


def setup_groups_after_migrate(sender, *, apps=global_apps, verbosity=1, **kwargs) -> None:
    """post_migrate receiver: the groups exist on every database that has been migrated."""
    try:
        apps.get_model("articles", "Article")
        apps.get_model("auth", "Group")
    except LookupError:  # migrated backwards to before these tables existed
        return
    setup_groups(apps=apps, verbosity=verbosity)


class RateLimitedBackend(AxesStandaloneBackend):
    """django-axes' lockout check for every login that comes with a request.

    Logins through a web form always carry the request; only code inside the process (a test
    client's ``login()``, a management command) authenticates without one, and there is no
    remote attacker to slow down there, so those go straight to the model backend.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
