"""HTML routes: the chat page (works without JavaScript), the answer fragment, the article list and view.

Nothing about a conversation is kept here. Without JavaScript the form carries the earlier questions in
hidden fields and every post re-renders the whole conversation (earlier answers come from the bot's answer
cache); with JavaScript the script keeps it in sessionStorage and asks `/fragments/exchange` for each new
exchange, rendered by the same templates.
"""

from __future__ import annotations

import re
from typing import Annotated

from anyio import CapacityLimiter
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse

from bot.conversation import check_history, check_question, recent
from bot.engine import Bot
from bot.settings import Settings
from index.errors import BotError
from web.deps import get_bot, get_limiter, get_settings, require_json
from web.guard import TOO_MANY, answer_within_timeout, client_of, retry_after
from web.schemas import AskRequest
from web.templating import templates
from web.view import AnswerView, answer_view, source_href

router = APIRouter(include_in_schema=False)
EXAMPLES = [
    "Will my hair grow back if I stop the pills?",
    "What causes alopecia areata?",
    "Is gene therapy for baldness available yet?",
    "Can I get stem cell treatment for hair loss in the USA?",
]
PAGE_EXCHANGES = 20  # a no-JavaScript conversation shows (and re-answers) at most this many exchanges
NO_STORE = {"Cache-Control": "no-store"}
POSITION = re.compile(r"[0-9]{1,12}")  # a character offset: ASCII digits, no more than any article holds


def _page(request: Request, settings: Settings, status: int = 200, **context: object) -> HTMLResponse:
    context.setdefault("exchanges", [])
    context.setdefault("history", [])
    context.update(examples=EXAMPLES, max_chars=settings.max_question_chars, max_history=settings.max_history)
    return templates.TemplateResponse(request, "index.html", context, status_code=status)


def _valid(question: str, settings: Settings) -> bool:
    try:
        check_question(question, settings)
    except BotError:
        return False
    return True


def _wait_to_reanswer(request: Request, bot: Bot, settings: Settings, questions: list[str]) -> float:
    """Seconds this client must wait before the page may compute these exchanges, 0 if it may now. The request's
    own token (taken by `RateLimit`) pays for one answer; every further one the answer cache no longer holds
    takes a token too, so a forged history of 19 new questions costs what 19 posts would."""
    buckets = getattr(request.app.state, "rate_buckets", None)
    if buckets is None:
        return 0.0
    again = sum(not bot.is_cached(question, None, history) for question, history in _turns(questions, settings))
    return buckets.take(client_of(request.scope), again - 1)


def _turns(questions: list[str], settings: Settings) -> list[tuple[str, list[str]]]:
    """Each question with the history it is asked with: the ones before it, as the script would send them."""
    return [(question, recent(questions[:i], settings)) for i, question in enumerate(questions)]


def _too_many(request: Request, settings: Settings, wait: float, earlier: list[str], question: str) -> HTMLResponse:
    page = _page(request, settings, 429, history=earlier, error=TOO_MANY, question=question)
    page.headers["retry-after"] = retry_after(wait)
    return page


async def _converse(bot: Bot, settings: Settings, limiter: CapacityLimiter | None, questions: list[str]) -> list:
    """Each question answered with the ones before it as history, as the script would have asked them."""
    views: list[AnswerView] = []
    for question, history in _turns(questions, settings):
        answer = await answer_within_timeout(bot, question, None, settings.answer_timeout_s, limiter, history)
        views.append(answer_view(bot, answer, history))
    return views


@router.get("/", response_class=HTMLResponse)
async def chat(request: Request, settings: Settings = Depends(get_settings)) -> HTMLResponse:
    return _page(request, settings)


@router.post("/", response_class=HTMLResponse)
async def chat_post(
    request: Request,
    question: Annotated[str, Form()] = "",
    history: Annotated[list[str], Form()] = [],  # noqa: B006 - FastAPI copies form defaults
    bot: Bot = Depends(get_bot),
    settings: Settings = Depends(get_settings),
    limiter: CapacityLimiter | None = Depends(get_limiter),
) -> HTMLResponse:
    """The no-JavaScript path: the form posts the new question and the earlier ones; the page shows them all."""
    earlier = [h for h in history if _valid(h, settings)][-(PAGE_EXCHANGES - 1) :]  # only tampering drops any
    try:
        check_question(question, settings)
    except BotError as exc:  # a blank or too long question: the conversation stays, no empty bubble
        if wait := _wait_to_reanswer(request, bot, settings, earlier):
            return _too_many(request, settings, wait, earlier, "")
        exchanges = await _converse(bot, settings, limiter, earlier)
        return _page(
            request,
            settings,
            exc.http_status,
            exchanges=exchanges,
            history=earlier,
            error=str(exc),
            question=question if question.strip() else "",
        )
    if wait := _wait_to_reanswer(request, bot, settings, [*earlier, question]):
        return _too_many(request, settings, wait, earlier, question)
    try:
        exchanges = await _converse(bot, settings, limiter, [*earlier, question])
    except BotError as exc:
        return _page(request, settings, exc.http_status, history=earlier, error=str(exc), question=question)
    return _page(request, settings, exchanges=exchanges, history=[*earlier, question])


@router.post("/fragments/exchange", response_class=HTMLResponse, dependencies=[Depends(require_json)])
async def exchange_fragment(
    request: Request,
    body: AskRequest,
    bot: Bot = Depends(get_bot),
    settings: Settings = Depends(get_settings),
    limiter: CapacityLimiter | None = Depends(get_limiter),
) -> HTMLResponse:
    """One exchange as HTML (`_exchange.html`) for the script to insert: the page has one rendering of answers."""
    check_question(body.question, settings)
    history = check_history(body.history, settings)
    answer = await answer_within_timeout(bot, body.question, body.top_k, settings.answer_timeout_s, limiter, history)
    view = answer_view(bot, answer, history)
    return templates.TemplateResponse(request, "_exchange.html", {"view": view}, headers=NO_STORE)


@router.get("/sources", response_class=HTMLResponse)
async def sources_page(request: Request, bot: Bot = Depends(get_bot)) -> HTMLResponse:
    docs = [{**d.public(), "href": source_href(d.id)} for d in bot.sources()]
    return templates.TemplateResponse(request, "sources.html", {"docs": docs})


@router.get("/sources/{source_id:path}", response_class=HTMLResponse)  # ids of sub/folder files hold "/"
async def source_view(
    request: Request, source_id: str, start: str | None = None, end: str | None = None, bot: Bot = Depends(get_bot)
) -> HTMLResponse:
    """The article with the quote marked; a broken link still shows the article, with what was wrong."""
    doc = bot.source(source_id)  # unknown id: SourceNotFound, the HTML 404 page
    span, problem = quote_span(start, end, len(doc.text))
    paragraphs = split_marked(doc.text, *(span or (None, None)))
    context = {"doc": doc, "paragraphs": paragraphs, "problem": problem}
    return templates.TemplateResponse(request, "source.html", context, status_code=400 if problem else 200)


def quote_span(start: str | None, end: str | None, length: int) -> tuple[tuple[int, int] | None, str | None]:
    """The [start, end) to mark, or None with a message a reader understands when the link is broken."""
    if start is None and end is None:
        return None, None
    if not POSITION.fullmatch(start or "") or not POSITION.fullmatch(end or ""):  # not "²", not 5,000 digits
        return None, "This link's quote position is not a pair of numbers, so no passage is marked below."
    a, b = int(start), int(end)
    if not 0 <= a < b <= length:
        return None, (
            f"This link points at characters {a} to {b}, which are not a passage of this article "
            f"({length} characters), so no passage is marked below."
        )
    return (a, b), None


def split_marked(text: str, start: int | None, end: int | None) -> list[list[tuple[str, bool]]]:
    """Paragraphs as (text, marked) segments, so the template can wrap the quote in <mark>."""
    valid = start is not None and end is not None and 0 <= start < end <= len(text)
    paragraphs, offset = [], 0
    for para in text.split("\n\n"):
        lo, hi = offset, offset + len(para)
        offset = hi + 2
        if not valid or hi <= start or lo >= end:
            paragraphs.append([(para, False)])
            continue
        a, b = max(start, lo) - lo, min(end, hi) - lo
        paragraphs.append([seg for seg in ((para[:a], False), (para[a:b], True), (para[b:], False)) if seg[0]])
    return paragraphs
