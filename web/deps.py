"""Dependencies the routes take; tests override `get_bot` to swap the loaded bot."""

from __future__ import annotations

from anyio import CapacityLimiter
from fastapi import Request

from bot.engine import Bot
from bot.settings import Settings


def get_bot(request: Request) -> Bot:
    return request.app.state.bot


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_limiter(request: Request) -> CapacityLimiter | None:
    """Caps concurrent answers; None (the default thread pool) where no lifespan made one."""
    return getattr(request.app.state, "ask_limiter", None)
