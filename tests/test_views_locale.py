"""The Arabic catalogue: every interface string translated, and the compiled .mo up to date."""

import gettext
import re
from pathlib import Path

import polib
import pytest
from django.utils import translation

LOCALE = Path(__file__).resolve().parents[1] / "locale" / "ar" / "LC_MESSAGES"


def catalogue_entries():
    return [entry for entry in polib.pofile(str(LOCALE / "django.po")) if not entry.obsolete]


# The pages' own strings and the models' names. Messages of other modules (ingestion reasons,
# admin actions) are translated by their owners, whose tests read them in English.
PAGES = re.compile(
    r"^(templates/(?!admin/)|newsroom/|articles/(views|filters|api|feeds|facets|models|apps)\.py"
    r"|articles/models/|articles/templatetags/)"
)


def test_every_string_of_the_pages_has_an_arabic_translation():
    pages = [e for e in catalogue_entries() if any(PAGES.match(f) for f, _ in e.occurrences)]
    assert len(pages) > 100
    untranslated = [entry.msgid for entry in pages if not entry.translated() or entry.fuzzy]
    assert untranslated == []


def test_compiled_catalogue_matches_the_po_file():
    """Fails when django.po was edited without `manage.py compilemessages`."""
    with open(LOCALE / "django.mo", "rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)
    stale = []
    for entry in catalogue_entries():
        if entry.msgid_plural:
            for n, form in entry.msgstr_plural.items():
                if catalog.ngettext(entry.msgid, entry.msgid_plural, _sample(int(n))) != form:
                    stale.append(entry.msgid)
        else:
            key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
            if catalog._catalog.get(key, "") != entry.msgstr:
                stale.append(entry.msgid)
    assert stale == []


def _sample(form: int) -> int:
    """A number that takes the given Arabic plural form (0, 1, 2, 3-10, 11-99, 100+)."""
    return [0, 1, 2, 3, 11, 100][form]


@pytest.mark.parametrize(
    "english, arabic",
    [("Search", "بحث"), ("Log in", "تسجيل الدخول"), ("Newsroom archive", "أرشيف غرفة الأخبار")],
)
def test_django_serves_the_arabic_catalogue(english, arabic):
    with translation.override("ar"):
        assert translation.gettext(english) == arabic
