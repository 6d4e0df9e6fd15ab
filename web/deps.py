"""Dependencies the routes take; tests override `get_bot` to swap the loaded bot."""

from __future__ import annotations

from anyio import CapacityLimiter
from fastapi import HTTPException, Request

from bot.engine import Bot
from bot.settings import Settings


def get_bot(request: Request) -> Bot:
    return request.app.state.bot


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_limiter(request: Request) -> CapacityLimiter | None:
    """Caps concurrent answers; None (the default thread pool) where no lifespan made one."""
    return getattr(request.app.state, "ask_limiter", None)


def require_json(request: Request) -> None:
    """415 for a body that is not declared JSON (a form or text/plain post), instead of a confusing 422."""
    kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if kind != "application/json" and not (kind.startswith("application/") and kind.endswith("+json")):
        raise HTTPException(415, "send the question as JSON, with Content-Type: application/json")
