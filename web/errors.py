"""One way to answer an error: JSON to API clients, an HTML page to people, whoever raised it.

Route errors, FastAPI's validation errors, Starlette's 404/405 and the guard middleware's 413/429 all go
through `error_response`, so an unknown page is an HTML 404 and a bad API body a JSON 422, never the other
way round.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from index.errors import BotError
from web.templating import templates

log = logging.getLogger("web")
API_PREFIXES = ("/api/", "/fragments/")  # /fragments/ serves the page's script, which reads JSON errors
API_PATHS = {"/healthz", "/openapi.json"}
TITLES = {
    404: "Page not found",
    405: "Not allowed",
    413: "Too much text",
    415: "Wrong kind of request",
    429: "Too many questions",
    500: "Something went wrong",
    503: "Not available right now",
}


def is_api(path: str) -> bool:
    return path.startswith(API_PREFIXES) or path in API_PATHS


def error_response(
    path: str, status: int, message: str, detail: list | None = None, headers: dict | None = None
) -> Response:
    """The error as `{"error", "detail"?}` JSON for the API, or the site's error page for everything else."""
    if is_api(path):
        body: dict = {"error": message}
        if detail is not None:
            body["detail"] = detail
        return JSONResponse(body, status_code=status, headers=headers)
    title = TITLES.get(status, "Sorry")
    html = templates.get_template("error.html").render(title=title, error=message, status=status)
    return HTMLResponse(html, status_code=status, headers=headers)


def _validation_message(exc: RequestValidationError) -> tuple[str, list]:
    errors = exc.errors()
    first = errors[0] if errors else {}
    where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path")) or "body"
    detail = [{"loc": e.get("loc"), "msg": e.get("msg"), "type": e.get("type")} for e in errors]
    if first.get("type") == "json_invalid":
        return "invalid request: body: not valid JSON", detail
    return f"invalid request: {where}: {first.get('msg', 'malformed')}", detail


def install(app: FastAPI) -> None:
    """Register the handlers on `app`."""

    @app.exception_handler(BotError)
    async def bot_error(request: Request, exc: BotError) -> Response:
        return error_response(request.url.path, exc.http_status, str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        generic = exc.status_code == 404 and exc.detail == "Not Found"
        message = "there is nothing at this address" if generic else str(exc.detail)
        return error_response(request.url.path, exc.status_code, message, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        message, detail = _validation_message(exc)
        return error_response(request.url.path, 422, message, detail if is_api(request.url.path) else None)


class Started:
    """Wraps an ASGI `send` and remembers whether the response has begun: after that, an error can no longer be
    answered with a response of its own."""

    def __init__(self, send: Send) -> None:
        self.send, self.started = send, False

    async def __call__(self, message: Message) -> None:
        self.started = self.started or message["type"] == "http.response.start"
        await self.send(message)


class Unexpected:
    """The innermost middleware: a bug answers 500 in the right kind (a page or JSON) inside the other middleware
    (so it carries the security headers) and goes no further. Only the error's type is logged: its message could
    quote what the patient typed, and an exception left to Starlette's own 500 handler is re-raised to the server,
    whose log prints it in full."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        tracked = Started(send)
        try:
            await self.app(scope, receive, tracked)
        except Exception as exc:  # noqa: BLE001 - every bug, answered and logged by type only
            log.error("unexpected %s on %s %s", type(exc).__name__, scope["method"], scope["path"])
            if not tracked.started:
                response = error_response(scope["path"], 500, "something went wrong on our side; please try again")
                await response(scope, receive, send)
