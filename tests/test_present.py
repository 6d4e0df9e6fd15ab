"""Every face renders every field the core fills: notices first (own box, tel: links), missing, notes, context.

Answers are scripted (tests/scripted.py) or built by hand, so these hold whatever the core decides today.
"""

from __future__ import annotations

from dataclasses import replace

import lxml.html
import pytest
from fastapi.testclient import TestClient

from bot.answer import NOT_FOUND, NOTICES, Answer, Quote, SourceRef
from bot.present import focus_parts, missing_line
from bot.terminal import print_answer
from tests.scripted import OLD_NOTE, ScriptedBot
from web.app import create_app
from web.view import tel_parts

FIRST = "Does ruxolitinib make hair grow back?"
REF = SourceRef("rux", "Cure For Baldness", "HuffPost", "2016-09-27", None)
TEXT = "One. Two is the answer. Three."


@pytest.fixture(scope="module")
def client(bot, settings):
    app = create_app(replace(settings, rate_limit_per_minute=0), bot=ScriptedBot(bot))
    with TestClient(app) as c:
        yield c


def find(node, selector: str) -> list:
    """Elements by "tag.class" (either part optional), anywhere under `node`: enough CSS for these tests."""
    tag, _, cls = selector.partition(".")
    test = f"[contains(concat(' ', normalize-space(@class), ' '), ' {cls} ')]" if cls else ""
    return node.xpath(f".//{tag or '*'}{test}")


def _fragment(client, question: str, history: list[str] | None = None):
    r = client.post("/fragments/exchange", json={"question": question, "history": history or []})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/html") and r.headers["cache-control"] == "no-store"
    return lxml.html.fragment_fromstring(r.text)


def test_phone_numbers_in_every_notice_become_tel_links():
    dial = {tel for text in NOTICES.values() for _, tel in tel_parts(text) if tel}
    assert dial == {"999", "112", "911", "116123", "988"}
    assert "".join(text for text, _ in tel_parts(NOTICES["crisis"])) == NOTICES["crisis"]


def test_notices_come_first_each_in_its_own_box(client):
    node = _fragment(client, "Chest pain and I can't breathe")
    boxes = [c for c in find(node, "article.answer")[0] if "notice" in c.get("class", "")]
    assert [b.get("class") for b in boxes] == ["notice notice-emergency", "notice notice-dosing"]
    assert boxes[0].get("role") == "alert" and boxes[1].get("role") == "note"
    assert {a.get("href") for a in find(boxes[0], "a")} == {"tel:999", "tel:112", "tel:911"}
    children = [c for c in find(node, "article.answer")[0] if c.tag in ("div", "figure", "p")]
    assert children[0] is boxes[0] and children[1] is boxes[1]  # before quotes, message and everything else


def test_follow_up_names_its_context_and_notes_follow_the_quotes(client):
    node = _fragment(client, "And what about that one?", [FIRST])
    line = find(node, ".context-from")[0].text_content()
    assert line == "Answering about: Does ruxolitinib make hair grow back\u2026"
    answer = find(node, "article.answer")[0]
    notes = find(answer, "ul.notes")
    assert [li.text_content() for li in find(notes[0], "li")] == [OLD_NOTE]
    assert list(answer).index(notes[0]) > max(list(answer).index(f) for f in find(answer, "figure"))
    assert not find(_fragment(client, "And what about that one?"), ".context-from")  # no history, no line


def test_missing_is_named_and_the_abstention_points_to_the_article_list(client):
    node = _fragment(client, "Can I take it while pregnant?")
    assert find(node, ".abstain")[0].text_content() == NOT_FOUND
    assert find(node, ".missing")[0].text_content() == "These articles don't mention: pregnancy."
    assert find(find(node, ".rephrase")[0], "a")[0].get("href") == "/sources"


def test_quotes_show_date_in_words_focus_and_neighbours_verbatim(client, bot):
    api = client.post("/api/ask", json={"question": FIRST}).json()
    node = _fragment(client, FIRST)
    figures = find(node, "figure.quote")
    assert len(figures) == len(api["quotes"]) > 0
    for figure, quote in zip(figures, api["quotes"], strict=True):
        text = bot.source(quote["source"]["id"]).text
        assert find(figure, ".quoted")[0].text_content() == quote["text"]  # emphasis keeps it verbatim
        for mark in find(figure, "mark.focus"):
            assert mark.text_content() == text[quote["focus_start"] : quote["focus_end"]]
        context = client.get(
            f"/api/sources/{quote['source']['id']}/context", params={"start": quote["start"], "end": quote["end"]}
        ).json()
        for hidden in find(figure, ".visually-hidden"):
            hidden.drop_tree()  # "Sentence before the quote: ", for screen readers
        around = [" ".join(s.text_content().split()) for s in find(figure, ".around")]
        assert around == [" ".join(c["text"].split()) for c in (context["before"], context["after"]) if c]
        caption = find(figure, "figcaption")[0].text_content()
        assert ("27 Sep 2016" in caption) == (quote["source"]["date"] == "2016-09-27")
        assert "undated" in caption or quote["source"]["date"]


def test_no_javascript_post_shows_the_whole_conversation(client):
    follow = "and is it safe for kids?"
    api = client.post("/api/ask", json={"question": follow, "history": [FIRST]}).json()
    page = lxml.html.fromstring(client.post("/", data={"question": follow, "history": [FIRST]}).text)
    assert [e.get("data-question") for e in find(page, ".exchange")] == [FIRST, follow]
    assert [i.get("value") for i in page.xpath("//form[@id='ask-form']//input[@name='history']")] == [FIRST, follow]
    assert bool(find(find(page, ".exchange")[1], ".context-from")) == (api["context_from"] is not None)
    assert page.get_element_by_id("new-button").get("hidden") is None
    assert page.get_element_by_id("examples").get("hidden") is not None


def test_blank_no_javascript_post_keeps_the_conversation_and_adds_no_bubble(client):
    r = client.post("/", data={"question": "   ", "history": [FIRST]})
    page = lxml.html.fromstring(r.text)
    assert r.status_code == 422 and "empty" in page.get_element_by_id("error").text_content()
    assert [e.get("data-question") for e in find(page, ".exchange")] == [FIRST]


def test_page_limits_come_from_the_running_settings(bot, settings):
    app = create_app(replace(settings, max_question_chars=50, max_history=2, rate_limit_per_minute=0), bot=bot)
    with TestClient(app) as c:
        form = lxml.html.fromstring(c.get("/").text).get_element_by_id("ask-form")
        assert form.get("data-max-history") == "2" and find(form, "textarea")[0].get("maxlength") == "50"
        spec = c.get("/openapi.json").json()["components"]["schemas"]["AskRequest"]["properties"]
        assert spec["question"]["maxLength"] == 50
        assert [o for o in spec["history"]["anyOf"] if o.get("type") == "array"][0]["maxItems"] == 2


def test_focus_parts_join_back_to_the_quote():
    quote = Quote(TEXT, 0.9, 0, len(TEXT), REF, focus_start=5, focus_end=23)
    assert focus_parts(quote) == [("One. ", False), ("Two is the answer.", True), (" Three.", False)]
    assert focus_parts(replace(quote, focus_start=0, focus_end=len(TEXT))) == [(TEXT, False)]  # all: nothing
    assert focus_parts(replace(quote, focus_start=None)) == [(TEXT, False)]
    assert focus_parts(replace(quote, focus_start=40, focus_end=50)) == [(TEXT, False)]  # outside: ignored


def test_missing_line_is_not_repeated_when_the_message_names_it():
    answer = Answer("q", False, message="These articles don't mention pregnancy.", missing=["pregnancy"])
    assert missing_line(answer) is None
    assert missing_line(replace(answer, message=NOT_FOUND)) == "These articles don't mention: pregnancy"


def test_terminal_shows_notices_first_then_quotes_notes_and_disclaimer(capsys):
    quote = Quote(TEXT, 0.9, 0, len(TEXT), REF, focus_start=5, focus_end=23)
    answer = Answer(
        "and for kids?",
        True,
        [quote],
        notices=["emergency", "dosing"],
        notice=NOTICES["emergency"],
        missing=["kids"],
        notes=[OLD_NOTE],
        context_from=0,
    )
    print_answer(answer, [FIRST])
    out = capsys.readouterr().out
    context = "Answering about: Does ruxolitinib make hair grow back\u2026"
    parts = ("Please act now.", "About your own medicines:", context, "don't mention: kids", "[1] \u201cOne")
    order = [out.index(s) for s in (*parts, OLD_NOTE, "not medical")]
    assert order == sorted(order)
    assert out.count("\u250c") == 2  # one frame per notice
    assert "Cure For Baldness, HuffPost, 27 Sep 2016 (source: rux)" in out and "characters" not in out
    assert "\x1b[" not in out  # no colour codes when not a terminal
