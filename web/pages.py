"""HTML routes: the chat page (works without JavaScript) and the source view."""

from __future__ import annotations

from typing import Annotated

from anyio import CapacityLimiter
from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from bot.engine import Bot
from bot.settings import Settings
from index.errors import BotError
from web.app_paths import TEMPLATES_DIR
from web.deps import get_bot, get_limiter, get_settings
from web.guard import answer_within_timeout

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=TEMPLATES_DIR)  # autoescape is on for .html
EXAMPLES = [
    "Will my hair grow back if I stop the pills?",
    "What causes alopecia areata?",
    "Is gene therapy for baldness available yet?",
    "Can I get stem cell treatment for hair loss in the USA?",
]


def _page(request: Request, status: int = 200, **context: object) -> HTMLResponse:
    context.setdefault("examples", EXAMPLES)
    return templates.TemplateResponse(request, "index.html", context, status_code=status)


@router.get("/", response_class=HTMLResponse)
async def chat(request: Request) -> HTMLResponse:
    return _page(request)


@router.post("/", response_class=HTMLResponse)
async def chat_post(
    request: Request,
    question: Annotated[str, Form()] = "",
    bot: Bot = Depends(get_bot),
    settings: Settings = Depends(get_settings),
    limiter: CapacityLimiter | None = Depends(get_limiter),
) -> HTMLResponse:
    """The no-JavaScript path: the form posts here and the answer is rendered on the server."""
    try:
        answer = await answer_within_timeout(bot, question, None, settings.answer_timeout_s, limiter)
    except BotError as exc:
        return _page(request, exc.http_status, error=str(exc), question=question)
    return _page(request, answer=answer.to_dict())


@router.get("/sources/{source_id}", response_class=HTMLResponse)
async def source_view(
    request: Request,
    source_id: str,
    start: Annotated[int | None, Query(ge=0)] = None,
    end: Annotated[int | None, Query(ge=0)] = None,
    bot: Bot = Depends(get_bot),
) -> HTMLResponse:
    try:
        doc = bot.source(source_id)
    except BotError as exc:
        return templates.TemplateResponse(request, "error.html", {"error": str(exc)}, status_code=exc.http_status)
    paragraphs = split_marked(doc.text, start, end)
    return templates.TemplateResponse(request, "source.html", {"doc": doc, "paragraphs": paragraphs})


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
