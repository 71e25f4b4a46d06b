"""An editor imports files in a real browser, against gunicorn in production settings: the
upload returns at once, the import's page shows a progress bar the page's script moves, then
the report; all of it in Arabic, right to left, styled, and nothing refused by the CSP."""

import json
import zipfile

import pytest
from playwright.sync_api import expect

from tests import live_archive

from .conftest import ARTIFACTS

pytestmark = [pytest.mark.browser]

TAFAS = (
    "من جهتها منعت فصائل الجيش الحر في مدينة طفس غرب درعا دخول الشرطة الروسية وقوات النظام، "
    "ورفضت شروط المفاوضات بعد موافقتهم الأولية عليها."
)
FEED_LINES = 2_000  # enough for the import to take a few seconds, so its progress shows


@pytest.fixture
def archive(transactional_db, tmp_path):
    with live_archive.running(tmp_path) as archive:
        yield archive


def files(folder, seed_text: str) -> list:
    (folder / "تقرير درعا.txt").write_text(seed_text, encoding="utf-8")
    with zipfile.ZipFile(folder / "batch.zip", "w") as archive:
        archive.writestr("الجنوب/طفس.txt", TAFAS.encode("utf-16"))
        archive.writestr("الجنوب/مكرر.txt", seed_text.encode("cp1256"))  # the report, again
    paragraph = seed_text.replace("\n", " ")
    with (folder / "feed.jsonl").open("w", encoding="utf-8") as feed:
        for n in range(1, FEED_LINES + 1):
            record = {"id": f"n{n}", "title": f"نشرة الجنوب {n}", "text": f"{paragraph} ({n})"}
            feed.write(json.dumps(record, ensure_ascii=False) + "\n")
    (folder / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))
    return [folder / name for name in ("تقرير درعا.txt", "batch.zip", "feed.jsonl", "photo.txt")]


def test_an_editor_imports_files_and_follows_the_progress_to_the_report(
    chromium, archive, tmp_path, seed_text, request
):
    context = chromium.new_context(
        base_url=archive.url, locale="ar", viewport={"width": 1280, "height": 900}
    )
    tab = context.new_page()
    console, errors = [], []
    tab.on("console", lambda message: console.append(message.text))
    tab.on("pageerror", lambda error: errors.append(str(error)))
    # Every violation of the Content-Security-Policy, as the page itself sees it.
    tab.add_init_script(
        "window.cspViolations = [];"
        "document.addEventListener('securitypolicyviolation',"
        " (event) => window.cspViolations.push(event.violatedDirective));"
    )
    uploads = files(tmp_path, seed_text)
    try:
        tab.goto("/admin/login/?next=/admin/articles/article/import/")
        tab.fill("#id_username", "editor")
        tab.fill("#id_password", live_archive.PASSWORD)
        tab.click("input[type=submit]")
        tab.wait_for_url("**/admin/articles/article/import/")
        assert tab.locator("html").get_attribute("dir") == "rtl"
        assert csp_violations(tab) == []

        tab.set_input_files("input[name=files]", [str(path) for path in uploads])
        tab.click("#import-texts-form input[type=submit]")
        tab.wait_for_url("**/admin/articles/importjob/*/change/")

        # The job's page: a progress bar while the import runs in its own process.
        progress = tab.locator("progress")
        expect(progress).to_be_visible()
        assert tab.locator("#import-report").count() == 0
        assert progress.get_attribute("data-status-url")
        expect(tab.locator('[data-field="done"]')).not_to_have_text("0", timeout=120_000)
        tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}-progress.png"))

        # When it is over, the page comes back with the report.
        expect(tab.locator("#import-report")).to_be_visible(timeout=600_000)
        assert tab.locator(".import-state").inner_text().strip() == "انتهى"
        assert progress.get_attribute("value") == progress.get_attribute("max")
        summary = tab.locator(".import-summary").inner_text()
        assert summary.split() == f"أُنشئ {FEED_LINES + 2}، وتُخطّي 1 مكرراً، ورُفض 1.".split()
        rows = tab.locator("#import-report tbody tr")
        first = [rows.nth(n).locator("td").nth(1).inner_text().strip() for n in range(4)]
        assert first == ["أُنشئ", "أُنشئ", "تُخطّي: مكرر", "أُنشئ"]
        assert tab.locator("#import-report td.origin").first.inner_text() == "تقرير درعا.txt"
        refused = tab.locator("a", has_text="رُفض").first
        refused.click()
        tab.wait_for_url("**?status=failed")
        expect(tab.locator("#import-report tbody tr")).to_have_count(1)
        expect(tab.locator("#import-report")).to_contain_text("photo.txt")
        expect(tab.locator("#import-report")).to_contain_text("ملف ثنائي")
        # Styled by the site's own stylesheet: the report spans the page.
        assert tab.evaluate(
            "[...document.styleSheets].some((sheet) => (sheet.href || '').includes('/import'))"
        )
        width = tab.evaluate("document.querySelector('#import-report').offsetWidth")
        assert width > 0.8 * tab.evaluate("document.querySelector('#content-main').offsetWidth")

        assert csp_violations(tab) == []
        assert [text for text in console if "Content Security Policy" in text] == []
        assert errors == []
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        tab.goto(tab.url.split("?")[0])
        tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"))
        context.close()


def csp_violations(tab) -> list[str]:
    return tab.evaluate("window.cspViolations")
