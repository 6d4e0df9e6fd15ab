"""FastAPI app factory: settings in, app out; the bot loads once, in the lifespan."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.batching import BatchingEncoder
from bot.engine import Bot
from bot.settings import Settings
from index.errors import BotError
from web import api, pages
from web.app_paths import STATIC_DIR
from web.guard import BodyLimit, RateLimit, SecurityHeaders

log = logging.getLogger("web")
QUESTION_MESSAGES = {  # the same words the CLI uses for the same mistakes
    "string_too_short": "the question is empty: please type a question",
    "string_pattern_mismatch": "the question is empty: please type a question",
    "string_too_long": f"the question is too long (the limit is {Settings.max_question_chars} characters)",
}


def create_app(settings: Settings | None = None, bot: Bot | None = None) -> FastAPI:
    """Build the app. Pass `bot` to reuse one already loaded (the CLI does, to fail before binding)."""
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.settings = settings
        app.state.bot = bot or Bot.load(settings)
        if settings.batch_encodes and not isinstance(app.state.bot.index.encoder, BatchingEncoder):
            app.state.bot.index.encoder = BatchingEncoder(app.state.bot.index.encoder)
        app.state.ask_limiter = anyio.CapacityLimiter(settings.concurrent_answers)
        log.info("index %s loaded: %d articles", app.state.bot.version, len(app.state.bot.index.documents))
        yield

    app = FastAPI(
        title="Patient quote bot",
        summary="Answers patient questions only with verbatim, cited quotes from its articles.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # served below from local files: no CDN, works offline
        redoc_url=None,
    )
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url,
            title=f"{app.title} - API",
            swagger_js_url="/static/swagger/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger/swagger-ui.css",
            swagger_favicon_url="/static/swagger/favicon-32x32.png",
        )

    app.include_router(api.router)
    app.include_router(pages.router)

    @app.exception_handler(BotError)
    async def bot_error(request: Request, exc: BotError) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=exc.http_status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_body(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        first = errors[0] if errors else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "body"
        if first.get("type") == "json_invalid":
            where, first = "body", {"msg": "not valid JSON"}
        elif where == "question" and first.get("type") in QUESTION_MESSAGES:
            return JSONResponse({"error": QUESTION_MESSAGES[first["type"]]}, status_code=422)
        detail = [{"loc": e.get("loc"), "msg": e.get("msg"), "type": e.get("type")} for e in errors]
        return JSONResponse(
            {"error": f"invalid request: {where}: {first.get('msg', 'malformed')}", "detail": detail}, status_code=422
        )

    app.add_middleware(RateLimit, per_minute=settings.rate_limit_per_minute)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders)
    return app
