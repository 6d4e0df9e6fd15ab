"""End to end in headless Chromium (Debian's) against the app served by `bot serve`."""

from __future__ import annotations

import pytest

from tests.browsing import ARTIFACTS, ask, new_page, serious_violations
from tests.serving import served

pytestmark = pytest.mark.browser
XSS = "<img src=x onerror=alert(1)> will my hair grow back?"
FIRST = "Does ruxolitinib make hair grow back?"
FOLLOW_UP = "how long did they take it for?"  # leans on FIRST; quoted from its articles


@pytest.fixture(scope="module")
def server(index_dir, tmp_path_factory):
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    with served(index_dir, env={"BOT_RATE_LIMIT_PER_MINUTE": "0"}, log_path=log) as (base, _):
        yield base


def test_ask_with_javascript(browser, server):
    context, page, requests, _ = new_page(browser, server)
    page.goto("/")
    box = page.get_by_label("Your question")
    box.fill("Will my hair grow back if I stop the pills?")
    box.press("Enter")
    quote = page.locator("#conversation blockquote").first
    quote.wait_for()
    assert "After treatment with the drug has stopped" in quote.inner_text()
    assert "not medical advice" in page.locator("#conversation .disclaimer").first.inner_text()
    assert page.url.rstrip("/") == server  # no reload: the conversation stays on the page
    assert page.evaluate("document.activeElement.id") == "question"
    assert page.locator("#conversation").get_attribute("aria-live") == "polite"
    assert page.get_by_text("Press Enter to ask").is_visible()  # the script handles Enter, so it says so
    ask(page, "What causes alopecia areata?", 2)
    assert page.locator("#conversation .exchange").count() == 2
    assert all(url.startswith(server) for url in requests), requests  # no third-party requests
    before = sum("/fragments/exchange" in url for url in requests)
    box.fill("Is Kerastem available in Europe?")
    box.press("Enter")
    box.press("Enter")  # again while the answer is on its way: asked once
    page.locator("#conversation .exchange").nth(2).wait_for()
    page.wait_for_timeout(500)
    assert page.locator("#conversation .exchange").count() == 3
    assert sum("/fragments/exchange" in url for url in requests) == before + 1
    context.close()


def test_ask_without_javascript(browser, server):
    context, page, _, _ = new_page(browser, server, java_script_enabled=False)
    page.goto("/")
    page.get_by_label("Your question").fill("Is gene therapy for baldness available yet?")
    page.get_by_role("button", name="Ask", exact=True).click()
    page.wait_for_load_state()
    assert page.locator("blockquote").count() >= 1
    assert "not medical advice" in page.locator(".disclaimer").inner_text()
    assert not page.get_by_text("Press Enter to ask").is_visible()  # Enter only adds a line without the script
    context.close()


@pytest.mark.parametrize("javascript", [True, False])
def test_typed_markup_is_shown_as_text(browser, server, javascript):
    context, page, _, dialogs = new_page(browser, server, java_script_enabled=javascript)
    page.goto("/")
    page.get_by_label("Your question").fill(XSS)
    page.get_by_role("button", name="Ask", exact=True).click()
    page.locator(".exchange .disclaimer").first.wait_for()
    assert XSS in page.locator(".exchange .you").first.inner_text()
    assert page.locator(".exchange img").count() == 0
    assert dialogs == []
    context.close()


def test_citation_opens_the_source_with_the_quote_marked(browser, server):
    context, page, _, _ = new_page(browser, server, viewport={"width": 390, "height": 700})
    page.goto("/")
    page.get_by_label("Your question").fill("how many people are enrolled in the kerastem STYLE trial")
    page.get_by_label("Your question").press("Enter")
    caption_link = page.locator("#conversation figcaption a").first
    caption_link.wait_for()
    quote_text = page.locator("#conversation blockquote").first.inner_text()
    caption_link.click()
    page.wait_for_url("**/sources/**")
    mark = page.locator("mark#quote")
    assert mark.inner_text() == quote_text
    assert mark.is_visible()
    box = mark.bounding_box()
    assert box is not None and 0 <= box["y"] < 700  # scrolled into view
    context.close()


def test_notice_is_shown_above_the_quotes(browser, server):
    context, page, _, _ = new_page(browser, server)
    page.goto("/")
    page.get_by_label("Your question").fill("I want to kill myself, my hair is falling out")
    page.get_by_label("Your question").press("Enter")
    notice = page.locator("#conversation .notice[role=alert]")
    notice.wait_for()
    assert "emergency" in notice.inner_text()
    context.close()


def test_api_docs_render_offline(browser, server):
    context, page, requests, _ = new_page(browser, server)
    page.goto("/docs")
    page.locator(".opblock-summary-path", has_text="/api/ask").first.wait_for()
    assert all(url.startswith(server) for url in requests), requests  # no CDN
    context.close()


@pytest.mark.parametrize("path", ["/", "/sources", "/sources/kerastem-stem-cell-therapy-trial?start=0&end=80"])
def test_no_serious_accessibility_violations(browser, server, path):
    context, page, _, _ = new_page(browser, server, bypass_csp=True)  # axe is injected inline
    page.goto(path)
    if path == "/":
        ask(page, FIRST, 1)
        ask(page, FOLLOW_UP, 2)
        page.get_by_text("Show the sentences before and after").first.click()
    assert serious_violations(page) == []
    context.close()


@pytest.mark.parametrize(
    "name,viewport", [("phone-390", {"width": 390, "height": 844}), ("desktop-1280", {"width": 1280, "height": 900})]
)
def test_screenshots_of_a_two_turn_conversation(browser, server, name, viewport):
    context, page, _, _ = new_page(browser, server, viewport=viewport)
    page.goto("/")
    ask(page, FIRST, 1)
    ask(page, FOLLOW_UP, 2)
    page.get_by_text("Show the sentences before and after").first.click()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"]  # nothing overflows sideways
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    assert (ARTIFACTS / f"{name}.png").stat().st_size > 10_000
    context.close()
