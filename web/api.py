"""JSON routes: as thin as txtai's: parse, call the core, return."""

from __future__ import annotations

from anyio import CapacityLimiter
from fastapi import APIRouter, Depends, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from bot.engine import Bot
from bot.settings import Settings
from web.deps import get_bot, get_limiter, get_settings
from web.guard import answer_within_timeout
from web.schemas import AnswerOut, ArticleOut, AskRequest, ErrorOut, HealthOut

router = APIRouter()
LOOPBACK = {"127.0.0.1", "::1", "testclient"}
ERRORS = {
    400: {"model": ErrorOut, "description": "Body could not be parsed (not UTF-8)"},
    404: {"model": ErrorOut, "description": "No such article"},
    413: {"model": ErrorOut, "description": "Request body too large"},
    422: {"model": ErrorOut, "description": "Invalid question or body"},
    429: {"model": ErrorOut, "description": "Too many requests; see Retry-After"},
    503: {"model": ErrorOut, "description": "Index unavailable or answer timed out"},
}


@router.post("/api/ask", response_model=AnswerOut, responses=ERRORS, summary="Answer a question with quotes")
async def api_ask(
    body: AskRequest,
    bot: Bot = Depends(get_bot),
    settings: Settings = Depends(get_settings),
    limiter: CapacityLimiter | None = Depends(get_limiter),
) -> dict:
    answer = await answer_within_timeout(bot, body.question, body.top_k, settings.answer_timeout_s, limiter)
    return answer.to_dict()


@router.get("/api/sources/{source_id}", response_model=ArticleOut, responses=ERRORS, summary="A stored article")
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
    request.app.state.bot = bot
    return {"status": "reloaded", "index": bot.version, "documents": len(bot.index.documents)}
