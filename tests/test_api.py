"""The JSON API and pages through the ASGI app, with the real bot and index."""

from __future__ import annotations

import json
import logging
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from web.app import create_app
from web.deps import get_bot
from web.schemas import AnswerOut

QUESTION = "Will my hair grow back if I stop the pills?"


@pytest.fixture(scope="module")
def client(bot, settings):
    app = create_app(replace(settings, rate_limit_per_minute=0), bot=bot)
    with TestClient(app) as c:
        yield c


def test_ask_returns_the_cli_contract(client, bot):
    r = client.post("/api/ask", json={"question": QUESTION})
    assert r.status_code == 200
    assert r.json() == bot.ask(QUESTION).to_dict()
    AnswerOut.model_validate(r.json())
    assert r.json()["quotes"][0]["text"].startswith("After treatment with the drug has stopped")


def test_top_k_is_honoured(client):
    r = client.post("/api/ask", json={"question": "what treatments are there for alopecia", "top_k": 1})
    assert r.status_code == 200 and len(r.json()["quotes"]) == 1


def test_sources_route_and_offsets(client):
    quote = client.post("/api/ask", json={"question": QUESTION}).json()["quotes"][0]
    r = client.get(f"/api/sources/{quote['source']['id']}")
    assert r.status_code == 200
    assert set(r.json()) == {"id", "title", "publisher", "date", "url", "text"}
    assert r.json()["text"][quote["start"] : quote["end"]] == quote["text"]
    missing = client.get("/api/sources/not-an-article")
    assert missing.status_code == 404 and "no article" in missing.json()["error"]


def test_healthz(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json()["status"] == "ok" and r.json()["documents"] == 5


@pytest.mark.parametrize(
    "body,fragment",
    [
        (b'{"question": ""}', "empty"),
        (b'{"question": "   "}', "empty"),
        (json.dumps({"question": "x" * 4001}).encode(), "too long"),
        (b'{"question": "hair", ', "not valid JSON"),
        (b"not json at all", "not valid JSON"),
        (b"{}", "question"),
        (b'{"question": 5}', "question"),
        (b'{"question": null}', "question"),
        (b'{"question": ["a"]}', "question"),
        (b'{"question": "hair", "top_k": 0}', "top_k"),
        (b'{"question": "hair", "top_k": 11}', "top_k"),
        (b'{"question": "hair", "top_k": "three"}', "top_k"),
        (b'{"question": "hair", "top_k": true}', "top_k"),  # strict: a boolean is not 1
        (b'{"question": "hair", "top_k": 2.5}', "top_k"),
        (b'{"question": "hair", "top_k": "2"}', "top_k"),
        (b'{"question": true}', "question"),
        (b'{"question": "hair", "history": "what is alopecia"}', "history"),
        (b'{"question": "hair", "history": [1]}', "history.0"),
        (b'{"question": "hair", "history": [null]}', "history.0"),
        (b'{"question": "hair", "history": {"0": "a"}}', "history"),
        (b'{"question": "hair", "history": ["ok", "  "]}', "history[1]: the question is empty"),
        (json.dumps({"question": "hair", "history": ["x" * 4001]}).encode(), "history[0]: the question is too long"),
        (json.dumps({"question": "hair", "history": ["a"] * 7}).encode(), "at most 6 earlier questions"),
        (b'{"question": "hair", "extra": 1}', "extra"),
        (b"[]", "body"),
        (b"", "body"),
    ],
)
def test_bad_bodies_get_4xx_with_a_json_message(client, body, fragment):
    r = client.post("/api/ask", content=body, headers={"content-type": "application/json"})
    assert 400 <= r.status_code < 500
    assert fragment in r.json()["error"]


def test_history_is_accepted_up_to_the_limit(client):
    r = client.post("/api/ask", json={"question": "and for kids?", "history": [QUESTION] * 6})
    assert r.status_code == 200 and AnswerOut.model_validate(r.json())
    assert r.json()["context_from"] is None or 0 <= r.json()["context_from"] < 6
    assert client.post("/api/ask", json={"question": QUESTION, "history": None}).status_code == 200


@pytest.mark.parametrize("kind", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data", None])
def test_a_body_not_declared_json_is_415(client, kind):
    headers = {"content-type": kind} if kind else {}
    r = client.post("/api/ask", content=b'{"question": "hair"}', headers=headers)
    assert r.status_code == 415 and "application/json" in r.json()["error"]
    declared = {"content-type": "application/json; charset=utf-8"}
    assert client.post("/api/ask", content=b'{"question": "hair"}', headers=declared).status_code == 200


def test_sources_list_and_context_of_a_quote(client, bot):
    listed = client.get("/api/sources").json()
    assert [s["id"] for s in listed] == [d.id for d in bot.sources()] and len(listed) == 5
    assert all(set(s) == {"id", "title", "publisher", "date", "url"} for s in listed)  # no article text
    quote = client.post("/api/ask", json={"question": QUESTION}).json()["quotes"][0]
    sid = quote["source"]["id"]
    context = client.get(f"/api/sources/{sid}/context", params={"start": quote["start"], "end": quote["end"]}).json()
    text = bot.source(sid).text
    for span in (context["before"], context["after"]):
        assert span is None or text[span["start"] : span["end"]] == span["text"]
    assert context["before"]["end"] <= quote["start"] and context["after"]["start"] >= quote["end"]
    bad = client.get(f"/api/sources/{sid}/context", params={"start": 99999, "end": 5})
    assert bad.status_code == 422 and "not inside" in bad.json()["error"]
    assert client.get(f"/api/sources/{sid}/context", params={"start": "abc", "end": 5}).status_code == 422
    assert client.get("/api/sources/nope/context", params={"start": 0, "end": 5}).status_code == 404


def test_errors_answer_html_to_pages_and_json_to_the_api(client):
    page = client.get("/no-such-page")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "Page not found" in page.text
    api = client.get("/api/no-such-route")
    assert api.status_code == 404 and api.headers["content-type"] == "application/json" and api.json()["error"]
    wrong = client.get("/sources/kerastem-stem-cell-therapy-trial", params={"start": "abc"})
    assert wrong.status_code == 400 and wrong.headers["content-type"].startswith("text/html")
    assert "not a pair of numbers" in wrong.text and "<mark" not in wrong.text
    outside = client.get("/sources/kerastem-stem-cell-therapy-trial", params={"start": 99999, "end": 5})
    assert outside.status_code == 400 and "characters 99999 to 5" in outside.text and "<mark" not in outside.text
    fragment = client.post("/fragments/exchange", json={"question": " "})  # the page's script reads JSON errors
    assert fragment.status_code == 422 and fragment.json()["error"].startswith("the question is empty")
    for body in (b'{"question": "ok", "history": ["\\ud800"]}', b'{"question": "\\udcff hair loss?"}'):
        lone = client.post("/api/ask", content=body, headers={"content-type": "application/json"})
        assert lone.status_code == 422 and "not valid text" in lone.json()["error"]  # a lone surrogate: not a 500


def test_head_is_answered_like_get_without_a_body(client):
    """Uptime checks probe with HEAD; FastAPI's GET routes alone said 405."""
    for path in ("/", "/healthz", "/api/sources", "/sources"):
        head, get = client.head(path), client.get(path)
        assert head.status_code == 200 == get.status_code and head.content == b"", path
        assert head.headers["content-type"] == get.headers["content-type"]
    assert client.head("/api/ask").status_code == 405  # POST only, as before


def test_sources_page_lists_every_article(client, bot):
    r = client.get("/sources")
    assert r.status_code == 200
    for doc in bot.sources():
        assert f'href="/sources/{doc.id}"' in r.text


def test_oversized_body_is_413(client):
    r = client.post(
        "/api/ask", content=b'{"question": "' + b"a" * 70_000 + b'"}', headers={"content-type": "application/json"}
    )
    assert r.status_code == 413 and "larger than" in r.json()["error"]
    chunked = client.post(  # no Content-Length: counted as it streams in, and still a 413 (FastAPI said 400)
        "/api/ask", content=(b"a" * 8_000 for _ in range(10)), headers={"content-type": "application/json"}
    )
    assert chunked.status_code == 413 and "larger than" in chunked.json()["error"]


def test_openapi_documents_the_routes_and_errors(client):
    spec = client.get("/openapi.json").json()
    assert {"/api/ask", "/api/sources/{source_id}", "/healthz"} <= set(spec["paths"])
    assert {"200", "415", "422", "429", "413"} <= set(spec["paths"]["/api/ask"]["post"]["responses"])
    assert {"/api/sources", "/api/sources/{source_id}/context"} <= set(spec["paths"])
    schemas = spec["components"]["schemas"]
    history = schemas["AskRequest"]["properties"]["history"]
    assert [o["maxItems"] for o in history["anyOf"] if o.get("type") == "array"] == [6]
    assert {"missing", "notices", "notes", "context_from"} <= set(schemas["AnswerOut"]["required"])
    assert "not a probability" in schemas["QuoteOut"]["properties"]["score"]["description"]
    assert set(schemas["NoticeOut"]["properties"]["kind"]["enum"]) == {"crisis", "emergency", "dosing", "language"}
    assert client.get("/docs").status_code == 200


def test_html_responses_carry_the_security_headers_and_no_cookies(client):
    for path in ["/", "/sources/kerastem-stem-cell-therapy-trial", "/api/sources/kerastem-stem-cell-therapy-trial"]:
        r = client.get(path)
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "no-referrer"
        assert "set-cookie" not in r.headers


def test_page_form_post_renders_the_answer_and_escapes_input(client):
    r = client.post("/", data={"question": "<script>alert(1)</script> " + QUESTION})
    assert r.status_code == 200
    assert "not medical advice" in r.text  # answered or not (markup in a question may cost its answer)
    assert "<script>alert(1)</script>" not in r.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text
    empty = client.post("/", data={"question": " "})
    assert empty.status_code == 422 and "empty" in empty.text


def test_source_view_marks_the_quoted_span(client):
    quote = client.post("/api/ask", json={"question": QUESTION}).json()["quotes"][0]
    r = client.get(f"/sources/{quote['source']['id']}", params={"start": quote["start"], "end": quote["end"]})
    assert f'<mark id="quote" tabindex="-1">{quote["text"]}</mark>' in r.text
    assert client.get("/sources/nope").status_code == 404


def test_rate_limit_answers_429_with_retry_after(bot, settings):
    app = create_app(replace(settings, rate_limit_per_minute=3), bot=bot)
    with TestClient(app) as c:
        codes = [c.post("/api/ask", json={"question": "hair"}).status_code for _ in range(5)]
        limited = c.post("/api/ask", json={"question": "hair"})
    assert codes[:3] == [200, 200, 200] and 429 in codes
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1


def test_a_no_js_post_pays_for_each_earlier_answer_it_must_compute_again(bot, settings):
    """The page re-renders the conversation its hidden fields carry: answers the cache holds cost nothing more, but
    a forged history of new questions costs a token each, as that many posts would."""
    app = create_app(replace(settings, rate_limit_per_minute=4), bot=bot)
    with TestClient(app) as c:
        history: list[str] = []
        for question in ("What is Kerastem?", "Is it available in Europe?"):
            assert c.post("/", data={"question": question, "history": history}).status_code == 200
            history.append(question)
        forged = [f"What did study number {i} find about alopecia?" for i in range(5)]
        r = c.post("/", data={"question": "and then?", "history": forged})
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    assert "too many questions" in r.text and 'name="history"' in r.text  # the conversation is kept for a retry


def test_token_buckets_charge_several_at_once_but_never_more_than_a_full_bucket():
    from web.guard import TokenBuckets

    buckets = TokenBuckets(per_minute=6)
    assert buckets.take("a", 4, now=0.0) == 0.0 and buckets.take("a", 3, now=0.0) == 10.0  # 2 left, 1 short: 10 s
    assert buckets.take("a", 3, now=20.0) == 0.0  # refilled at one token per 10 s
    assert buckets.take("b", 50, now=0.0) == 0.0 and buckets.take("b", 1, now=0.0) > 0  # 50 cost the whole bucket
    assert TokenBuckets(per_minute=0).take("c", 99) == 0.0  # 0 turns the limit off


def test_answer_timeout_is_503(bot, settings):
    app = create_app(replace(settings, answer_timeout_s=1e-9, rate_limit_per_minute=0), bot=bot)
    with TestClient(app) as c:
        r = c.post("/api/ask", json={"question": "a question never asked before about hair"})
    assert r.status_code == 503 and "too long" in r.json()["error"]


def test_dependency_override_swaps_the_bot(bot, settings):
    class Refusing:
        def ask(self, question, top_k=None):
            raise AssertionError("should not be called for invalid bodies")

    app = create_app(replace(settings, rate_limit_per_minute=0), bot=bot)
    app.dependency_overrides[get_bot] = lambda: bot
    with TestClient(app) as c:
        assert c.post("/api/ask", json={"question": QUESTION}).status_code == 200


def test_question_and_history_text_is_not_logged(client, caplog):
    secret, earlier = "my secret symptom zebra-quokka", "my earlier secret okapi-narwhal"
    with caplog.at_level(logging.DEBUG):
        client.post("/api/ask", json={"question": secret, "history": [earlier]})
        client.post("/api/ask", json={"question": secret, "history": [earlier, " "]})  # an error too
        client.post("/", data={"question": secret, "history": [earlier]})
        client.post("/fragments/exchange", json={"question": secret, "history": [earlier]})
    assert caplog.records  # something was logged at DEBUG, just not what patients asked
    assert secret not in caplog.text and earlier not in caplog.text and "okapi" not in caplog.text


class _Nested:
    """The real bot, with one article served under an id from a subfolder ("guides/kerastem"), as `bot index` names
    a file in a subfolder."""

    REAL = "kerastem-stem-cell-therapy-trial"

    def __init__(self, real: object, fail: bool = False) -> None:
        self.real, self.fail = real, fail

    def _id(self, source_id: str) -> str:
        if self.fail:
            raise RuntimeError("a bug")
        return self.REAL if source_id == "guides/kerastem" else source_id

    def source(self, source_id: str):  # noqa: ANN201
        return self.real.source(self._id(source_id))

    def neighbours(self, source_id: str, start: int, end: int):  # noqa: ANN201
        return self.real.neighbours(self._id(source_id), start, end)

    def __getattr__(self, name: str) -> object:
        return getattr(self.real, name)


def test_an_article_from_a_subfolder_has_its_pages(bot, settings):
    app = create_app(replace(settings, rate_limit_per_minute=0), bot=_Nested(bot))
    with TestClient(app) as c:
        for url in ("/sources/guides/kerastem", "/sources/guides%2Fkerastem"):
            assert c.get(url).status_code == 200, url
        assert c.get("/api/sources/guides/kerastem").json()["id"] == _Nested.REAL
        context = c.get("/api/sources/guides/kerastem/context", params={"start": 0, "end": 40})
        assert context.status_code == 200 and context.json()["id"] == "guides/kerastem"
        for start in ("\u00b2", "9" * 5000):  # a superscript two passes str.isdigit(); 5,000 digits fail int()
            page = c.get("/sources/guides/kerastem", params={"start": start, "end": "5"})
            assert page.status_code == 400 and "not a pair of numbers" in page.text


def test_an_unexpected_error_is_answered_in_the_right_kind(bot, settings, caplog):
    """Answered inside the middleware (security headers on), logged by type only, and never re-raised to the
    server (whose log would print the message: the test client raises what reaches it)."""
    app = create_app(replace(settings, rate_limit_per_minute=0), bot=_Nested(bot, fail=True))
    with TestClient(app) as c:
        page, api = c.get("/sources/anything"), c.get("/api/sources/anything")
    assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
    assert "something went wrong" in page.text and "a bug" not in page.text
    assert api.status_code == 500 and api.json() == {"error": "something went wrong on our side; please try again"}
    assert page.headers["x-content-type-options"] == "nosniff" and "content-security-policy" in page.headers
    assert "RuntimeError" in caplog.text and "a bug" not in caplog.text
