"""JSON routes: as thin as txtai's: parse, check with the running settings, call the core, return."""

from __future__ import annotations

from typing import Annotated

from anyio import CapacityLimiter
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from starlette.concurrency import run_in_threadpool

from bot.conversation import check_history, check_question
from bot.engine import Bot
from bot.settings import Settings
from web.deps import get_bot, get_limiter, get_settings, require_json
from web.guard import answer_within_timeout
from web.schemas import AnswerOut, ArticleOut, AskRequest, ContextOut, ErrorOut, HealthOut, SourceOut
from web.view import around

router = APIRouter()
LOOPBACK = {"127.0.0.1", "::1", "testclient"}
ERRORS = {
    400: {"model": ErrorOut, "description": "Body could not be parsed (not UTF-8)"},
    404: {"model": ErrorOut, "description": "No such article"},
    413: {"model": ErrorOut, "description": "Request body too large"},
    415: {"model": ErrorOut, "description": "Body is not declared as application/json"},
    422: {"model": ErrorOut, "description": "Invalid question, history or body"},
    429: {"model": ErrorOut, "description": "Too many requests; see Retry-After"},
    503: {"model": ErrorOut, "description": "Index unavailable or answer timed out"},
}


@router.post(
    "/api/ask",
    response_model=AnswerOut,
    responses=ERRORS,
    summary="Answer a question with quotes",
    dependencies=[Depends(require_json)],
)
async def api_ask(
    body: AskRequest,
    bot: Bot = Depends(get_bot),
    settings: Settings = Depends(get_settings),
    limiter: CapacityLimiter | None = Depends(get_limiter),
) -> dict:
    """Quotes from the articles that answer `question`, or an abstention with the reason; always the disclaimer.

    Send the conversation's earlier questions in `history` (oldest first) so a follow-up such as "and for
    kids?" is read with its topic; `context_from` then says which earlier question was used.
    """
    check_question(body.question, settings)  # fails fast, before a worker thread, naming what is wrong
    history = check_history(body.history, settings)
    answer = await answer_within_timeout(bot, body.question, body.top_k, settings.answer_timeout_s, limiter, history)
    return answer.to_dict()


@router.get("/api/sources", response_model=list[SourceOut], summary="The articles the bot can quote")
async def api_sources(bot: Bot = Depends(get_bot)) -> list[dict]:
    return [{k: v for k, v in d.public().items() if k != "text"} for d in bot.sources()]


@router.get(
    "/api/sources/{source_id:path}/context",
    response_model=ContextOut,
    responses=ERRORS,
    summary="The sentences just before and after a quote",
)
async def api_context(
    source_id: str,
    start: Annotated[int, Query(ge=0, description="The quote's `start`.")],
    end: Annotated[int, Query(ge=1, description="The quote's `end`.")],
    bot: Bot = Depends(get_bot),
) -> dict:
    """The article's own sentence boundaries (as indexed) around [start, end): what "show more" shows."""
    spans = around(bot, source_id, start, end)
    before, after = ({"start": s[0], "end": s[1], "text": s[2]} if s else None for s in spans)
    return {"id": source_id, "before": before, "after": after}


@router.get("/api/sources/{source_id:path}", response_model=ArticleOut, responses=ERRORS, summary="A stored article")
async def api_source(source_id: str, bot: Bot = Depends(get_bot)) -> dict:
    return bot.source(source_id).public()  # a dict lookup: no worker thread needed


@router.get("/healthz", response_model=HealthOut, summary="Ready to answer")
async def healthz(bot: Bot = Depends(get_bot)) -> dict:
    return {"status": "ok", "index": bot.version, "documents": len(bot.index.documents)}


@router.post("/api/reload", response_model=HealthOut, responses=ERRORS, include_in_schema=False)
async def reload_index(request: Request, settings: Settings = Depends(get_settings)) -> dict:
    """Load the index now on disk (after `bot index`) without a restart; loopback callers only.

    If the new index does not load, the old one keeps answering and the error is returned.
    """
    client = request.client.host if request.client else ""
    if client not in LOOPBACK:
        raise HTTPException(status_code=403, detail="reload is only allowed from this machine")
    bot = await run_in_threadpool(Bot.load, settings)
    if settings.batch_encodes:  # the reloaded bot serves like the first one: concurrent encodes batched
        bot.batch_encodes()
    request.app.state.bot = bot
    return {"status": "reloaded", "index": bot.version, "documents": len(bot.index.documents)}
