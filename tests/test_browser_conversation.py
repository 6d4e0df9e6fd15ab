"""Conversations in headless Chromium, with and without JavaScript.

Most tests run against the real `bot serve`. The notice, missing and note rendering tests run a real uvicorn
server in this process whose bot is the real one with a few scripted answers (tests/scripted.py), so they
hold whatever the core's classifiers decide today.
"""

from __future__ import annotations

import json
import urllib.request
from dataclasses import replace

import pytest

from tests.browsing import ask, new_page, serious_violations
from tests.scripted import OLD_NOTE, ScriptedBot, served_app
from tests.serving import served

pytestmark = pytest.mark.browser
FIRST = "Does ruxolitinib make hair grow back?"
FOLLOW_UP = "how long did they take it for?"  # leans on FIRST; quoted from its articles
MODES = pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])


@pytest.fixture(scope="module")
def server(index_dir, tmp_path_factory):
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    with served(index_dir, env={"BOT_RATE_LIMIT_PER_MINUTE": "0"}, log_path=log) as (base, _):
        yield base
    assert FIRST not in log.read_text() and FOLLOW_UP not in log.read_text()  # nothing patients typed


@pytest.fixture(scope="module")
def scripted(bot, settings):
    from web.app import create_app

    with served_app(create_app(replace(settings, rate_limit_per_minute=0), bot=ScriptedBot(bot))) as base:
        yield base


def _api(base: str, path: str, body: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def _questions(page) -> list[str]:
    return page.locator("#conversation .exchange").evaluate_all("nodes => nodes.map(n => n.dataset.question)")


@MODES
def test_a_follow_up_shows_the_whole_conversation(browser, server, js):
    context, page, _, _ = new_page(browser, server, java_script_enabled=js)
    sent: list[dict] = []
    page.on("request", lambda r: sent.append(r.post_data_json) if r.url.endswith("/fragments/exchange") else None)
    page.goto("/")
    ask(page, FIRST, 1)
    ask(page, FOLLOW_UP, 2)
    assert _questions(page) == [FIRST, FOLLOW_UP]
    expected = _api(server, "/api/ask", {"question": FOLLOW_UP, "history": [FIRST]})["context_from"]
    line = page.locator("#conversation .exchange").nth(1).locator(".context-from")
    if expected is None:  # the core did not lean on the first question: no line
        assert line.count() == 0
    else:
        assert line.inner_text() == "Answering about: Does ruxolitinib make hair grow back\u2026"
    if js:
        assert [s["history"] for s in sent] == [[], [FIRST]]  # the script sent the earlier question
    context.close()


@MODES
def test_back_from_a_citation_and_reload_keep_the_conversation(browser, server, js):
    context, page, _, _ = new_page(browser, server, java_script_enabled=js)
    page.goto("/")
    ask(page, FIRST, 1)
    ask(page, FOLLOW_UP, 2)
    page.locator("#conversation .exchange").nth(1).locator("figcaption a").first.click()
    page.wait_for_url("**/sources/**")
    page.go_back()
    page.locator("#conversation .exchange").nth(1).wait_for()
    assert _questions(page) == [FIRST, FOLLOW_UP]
    page.reload()
    page.locator("#conversation .exchange").nth(1).wait_for()
    assert _questions(page) == [FIRST, FOLLOW_UP]
    context.close()


@MODES
def test_new_conversation_clears_it(browser, server, js):
    context, page, _, _ = new_page(browser, server, java_script_enabled=js)
    page.goto("/")
    assert not page.get_by_role("button", name="New conversation").is_visible()  # nothing to clear yet
    ask(page, FIRST, 1)
    page.get_by_role("button", name="New conversation").click()
    page.get_by_role("heading", name="Try an example").wait_for()
    assert page.locator("#conversation .exchange").count() == 0
    page.reload()
    page.get_by_role("heading", name="Try an example").wait_for()
    assert page.locator("#conversation .exchange").count() == 0  # gone from sessionStorage too
    ask(page, FOLLOW_UP, 1)
    assert _questions(page) == [FOLLOW_UP]  # a fresh conversation: the old question is not carried
    context.close()


@MODES
def test_expanding_a_quote_shows_its_neighbours(browser, server, js):
    context, page, _, _ = new_page(browser, server, java_script_enabled=js)
    page.goto("/")
    ask(page, FIRST, 1)
    quote = _api(server, "/api/ask", {"question": FIRST})["quotes"][0]
    around = _api(server, f"/api/sources/{quote['source']['id']}/context?start={quote['start']}&end={quote['end']}")
    figure = page.locator("#conversation figure.quote").first
    blockquote = figure.locator("blockquote")
    assert blockquote.inner_text() == quote["text"]  # collapsed: the quote alone, verbatim
    figure.get_by_text("Show the sentences before and after").click()
    shown = " ".join(blockquote.inner_text().split())
    for span in (around["before"], around["after"]):
        if span:
            assert " ".join(span["text"].split()) in shown
    assert " ".join(quote["text"].split()) in shown
    figure.get_by_text("Hide the sentences before and after").click()
    assert blockquote.inner_text() == quote["text"]
    context.close()


@MODES
def test_an_abstention_links_to_the_sources_page_which_lists_the_articles(browser, scripted, js):
    context, page, _, _ = new_page(browser, scripted, java_script_enabled=js)
    page.goto("/")
    ask(page, "Can I take it while pregnant?", 1)  # scripted: an abstention, whatever the core decides today
    page.get_by_role("link", name="see which articles I can quote from").click()
    page.wait_for_url("**/sources")
    titles = [s["title"] for s in _api(scripted, "/api/sources")]
    links = page.locator(".article-list a")
    assert links.all_inner_texts() == titles
    links.last.click()
    assert page.get_by_role("heading", level=1).inner_text() == titles[-1]
    context.close()


@MODES
def test_a_blank_question_adds_no_empty_bubble(browser, server, js):
    context, page, _, _ = new_page(browser, server, java_script_enabled=js)
    page.goto("/")
    page.get_by_label("Your question").fill("   ")
    page.get_by_role("button", name="Ask", exact=True).click()
    page.locator("#error").wait_for()
    assert "empty" in page.locator("#error").inner_text()
    assert page.locator("#conversation .exchange").count() == 0 and page.get_by_text("You asked:").count() == 0
    assert page.get_by_text("Press Enter to ask").is_visible() == js
    context.close()


def test_a_network_failure_gets_a_friendly_message(browser, server):
    context, page, _, _ = new_page(browser, server)
    page.goto("/")
    page.route("**/fragments/exchange", lambda route: route.abort())
    page.get_by_label("Your question").fill(FIRST)
    page.get_by_role("button", name="Ask", exact=True).click()
    error = page.locator("#error")
    error.wait_for()
    assert "Could not reach the server" in error.inner_text() and "Failed to fetch" not in error.inner_text()
    assert page.get_by_label("Your question").input_value() == FIRST  # nothing lost
    context.close()


def test_the_header_lines_up_with_the_content_at_1280(browser, server):
    context, page, _, _ = new_page(browser, server, viewport={"width": 1280, "height": 900})
    page.goto("/")
    brand = page.locator(".brand").bounding_box()
    heading = page.get_by_role("heading", level=1).bounding_box()
    assert abs(brand["x"] - heading["x"]) <= 1 and brand["x"] > 200  # centred, not at the left edge
    context.close()


@MODES
def test_emergency_notice_comes_first_with_tel_links(browser, scripted, js):
    context, page, _, _ = new_page(browser, scripted, java_script_enabled=js)
    page.goto("/")
    ask(page, "Chest pain and I can't breathe", 1)
    boxes = page.locator("#conversation .notice")
    assert boxes.count() == 2  # emergency and dosing, each in its own box
    emergency = page.locator("#conversation .notice-emergency[role=alert]")
    assert emergency.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))") == [
        "tel:999",
        "tel:112",
        "tel:911",
    ]
    kinds = page.locator("#conversation article.answer > *").evaluate_all("nodes => nodes.map(n => n.className)")
    assert kinds[:2] == ["notice notice-emergency", "notice notice-dosing"]  # before quotes or any message
    assert boxes.last.bounding_box()["y"] < page.locator("#conversation .disclaimer").bounding_box()["y"]
    context.close()


@MODES
def test_missing_notes_and_context_are_shown(browser, scripted, js):
    context, page, _, _ = new_page(browser, scripted, java_script_enabled=js, bypass_csp=True)
    page.goto("/")
    ask(page, FIRST, 1)
    ask(page, "And what about that one?", 2)
    second = page.locator("#conversation .exchange").nth(1)
    assert second.locator(".context-from").inner_text().startswith("Answering about: Does ruxolitinib")
    assert second.locator(".notes").inner_text() == OLD_NOTE
    ask(page, "Can I take it while pregnant?", 3)
    assert page.locator("#conversation .missing").inner_text() == "These articles don't mention: pregnancy."
    ask(page, "Chest pain and I can't breathe", 4)
    if js:  # axe is a script: it runs only where scripts do (the markup is the same either way)
        page.locator("#conversation details summary").first.click()
        assert serious_violations(page) == []
    context.close()
