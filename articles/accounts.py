"""Who may do what: the Editors and Readers groups, and the rate-limited login."""

from axes.attempts import get_cool_off_threshold
from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.apps import apps as global_apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Permission
from django.db.models import Exists, OuterRef, Q, Sum

EDITORS = "Editors"
READERS = "Readers"

# Everything an editor corrects by hand; deleting stays with the superusers (and is
# recoverable from history anyway).
EDITED_MODELS = ["article", "location", "party", "source", "locationmention", "partymention"]
IMPORT_TEXTS = ("import_texts", "Can import texts")

# Reading the archive (pages, API, exports, feeds): what both groups give, and superusers have.
READ_ARCHIVE = "articles.view_article"

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


class ArchiveBackend(ModelBackend):
    """Django's model backend, which loads with the user whether they may read the archive.

    Every archive page asks (views.archive_read); the model backend would read the user's own
    and their groups' permissions in two more queries on every request.
    """

    def get_user(self, user_id):
        User = get_user_model()
        readers = Permission.objects.filter(
            content_type__app_label=READ_ARCHIVE.split(".")[0],
            codename=READ_ARCHIVE.split(".")[1],
        ).filter(Q(user=OuterRef("pk")) | Q(group__user=OuterRef("pk")))
        try:
            user = User._default_manager.annotate(reads_archive=Exists(readers)).get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def has_perm(self, user_obj, perm, obj=None):
        if perm == READ_ARCHIVE and obj is None and hasattr(user_obj, "reads_archive"):
            return user_obj.is_active and user_obj.reads_archive
        return super().has_perm(user_obj, perm, obj)


def _failures_of_this_user_here(request, credentials) -> int:
    """Wrong passwords for this login's user name from its address, within the cool-off time."""
    attempts = AccessAttempt.objects.filter(
        username=get_client_username(request, credentials),
        ip_address=request.axes_ip_address,
        attempt_time__gte=get_cool_off_threshold(request),
    )
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


def login_failure_limit(request, credentials) -> int:
    """AXES_FAILURE_LIMIT: a limit per user and address, and a higher one per address.

    Axes counts each of its lockout rules (settings.AXES_LOCKOUT_PARAMETERS: user and address
    together, and the address alone) and locks out when the largest count reaches one limit.
    The address's count is always the largest, so its limit must be the one compared, unless
    this user has already reached their own limit here.
    """
    per_user = settings.LOGIN_FAILURE_LIMIT
    if _failures_of_this_user_here(request, credentials) >= per_user:
        return per_user
    return settings.LOGIN_ADDRESS_FAILURE_LIMIT


class LoginAttempts(AxesDatabaseHandler):
    """Axes' database handler, except that a right password clears its own user's failures.

    Axes clears every failure the lockout rules match, which with a rule per address would be
    every failure from that address: anyone with an account could log in now and then to go on
    trying other user names for ever.
    """

    def reset_user_attempts(self, request, credentials=None) -> int:
        attempts = AccessAttempt.objects.filter(
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,
        )
        return attempts.delete()[0]
