"""FastAPI app factory: settings in, app out; the bot loads once, in the lifespan."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from bot.decide import load_language_identifier
from bot.engine import Bot
from bot.settings import Settings
from web import api, errors, pages
from web.app_paths import STATIC_DIR
from web.guard import BodyLimit, HeadAsGet, RateLimit, SecurityHeaders, TokenBuckets
from web.schemas import document_limits

log = logging.getLogger("web")


def create_app(settings: Settings | None = None, bot: Bot | None = None) -> FastAPI:
    """Build the app. Pass `bot` to reuse one already loaded (the CLI does, to fail before binding)."""
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.settings = settings
        app.state.bot = bot or Bot.load(settings)
        if settings.batch_encodes:
            app.state.bot.batch_encodes()
        load_language_identifier()
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

    errors.install(app)
    generated = app.openapi

    def openapi() -> dict:
        """FastAPI's schema plus the running settings' question limits (not the class defaults)."""
        if app.openapi_schema is None:
            app.openapi_schema = document_limits(generated(), settings)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    app.state.rate_buckets = TokenBuckets(settings.rate_limit_per_minute)
    app.add_middleware(errors.Unexpected)  # innermost: added first
    app.add_middleware(RateLimit, buckets=app.state.rate_buckets)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(HeadAsGet)
    return app
