"""What stands between the internet and `ask()`: headers, size limit, rate limit, timeout.

Pure ASGI middleware (no BaseHTTPMiddleware) so the cost per request stays
in microseconds.
"""

from __future__ import annotations

import asyncio
import math
import time
from functools import partial

import anyio
import anyio.to_thread
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.answer import Answer
from bot.engine import Bot
from index.errors import AnswerTimeout
from web.errors import Started, error_response

PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
# Swagger UI at /docs initialises itself with an inline script; nothing user-typed is on that page.
DOCS_CSP = PAGE_CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)
HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
]


async def answer_within_timeout(
    bot: Bot,
    question: str,
    top_k: int | None,
    timeout_s: float,
    limiter: anyio.CapacityLimiter | None = None,
    history: list[str] | None = None,
) -> Answer:
    """Run the CPU-bound `ask()` in a worker thread, bounded by the configured timeout.

    `limiter` caps how many answers are computed at once (one per core): more threads than
    cores only make every answer slower. `history` is passed only when there is one, so a
    bot without conversations (an older core, a test double) still answers single questions.
    """
    call = partial(bot.ask, question, top_k, history) if history else partial(bot.ask, question, top_k)
    work = anyio.to_thread.run_sync(call, limiter=limiter)
    try:
        return await asyncio.wait_for(work, timeout_s)
    except TimeoutError as exc:
        raise AnswerTimeout("answering took too long; please try again") from exc


async def _error(scope: Scope, send: Send, status: int, message: str, headers: dict | None = None) -> None:
    """The app's own error answer (JSON for the API, a page for people), sent before any route runs."""
    response = error_response(scope["path"], status, message, headers=headers)

    async def no_body() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    await response(scope, no_body, send)


class HeadAsGet:
    """HEAD is GET without the body (RFC 9110): uptime checks and load balancers probe with it, and FastAPI's
    routes answer GET only (405 for HEAD). The headers, Content-Length included, are GET's."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            return await self.app(scope, receive, send)

        async def bodiless(message: Message) -> None:
            if message["type"] in ("http.response.body", "http.response.pathsend"):  # a file sent by path too
                message = {"type": "http.response.body", "body": b"", "more_body": message.get("more_body", False)}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, bodiless)


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        csp = (DOCS_CSP if scope["path"] in ("/docs", "/redoc") else PAGE_CSP).encode()

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *HEADERS, (b"content-security-policy", csp)]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _TooLarge(StarletteHTTPException):
    """Raised while the body streams in. An HTTP error, because FastAPI's body parsing turns any other error into
    400 "There was an error parsing the body": this one passes through it to the app's handler, as a 413."""


class BodyLimit:
    """Refuse bodies over `max_bytes` with 413, whether or not Content-Length is sent."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            return await _error(scope, send, 413, f"request body is larger than {self.max_bytes} bytes")
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise _TooLarge(413, f"request body is larger than {self.max_bytes} bytes")
            return message

        tracked = Started(send)
        try:
            await self.app(scope, counted, tracked)
        except _TooLarge:
            if not tracked.started:
                await _error(scope, send, 413, f"request body is larger than {self.max_bytes} bytes")


class TokenBuckets:
    """One token bucket per client address: `per_minute` answers a minute, in bursts of up to as many. Shared by the
    middleware (a token per request) and the no-JavaScript page, which re-answers earlier exchanges the answer cache
    no longer holds and takes a token for each."""

    def __init__(self, per_minute: int, max_clients: int = 100_000) -> None:
        self.per_minute, self.max_clients = per_minute, max_clients
        self.buckets: dict[str, tuple[float, float]] = {}

    def take(self, client: str, n: float = 1.0, now: float | None = None) -> float:
        """Take `n` tokens; return 0 if allowed, else seconds until they are available (none are taken then). More
        than a full bucket holds costs the full bucket: a long conversation the cache lost can always be shown
        again, after at most a minute's wait."""
        if self.per_minute <= 0 or n <= 0:
            return 0.0
        n = min(n, float(self.per_minute))
        now = time.monotonic() if now is None else now
        if len(self.buckets) > self.max_clients:
            self.buckets.clear()  # bounded memory under address spraying
        rate = self.per_minute / 60.0
        tokens, last = self.buckets.get(client, (float(self.per_minute), now))
        tokens = min(float(self.per_minute), tokens + (now - last) * rate)
        if tokens >= n:
            self.buckets[client] = (tokens - n, now)
            return 0.0
        self.buckets[client] = (tokens, now)
        return (n - tokens) / rate


def client_of(scope: Scope) -> str:
    return (scope.get("client") or ("unknown", 0))[0]


class RateLimit:
    """A token per request (`TokenBuckets`) on the routes that run `ask()`; 0 disables it."""

    LIMITED = {("POST", "/api/ask"), ("POST", "/"), ("POST", "/fragments/exchange")}

    def __init__(self, app: ASGIApp, buckets: TokenBuckets) -> None:
        self.app, self.buckets = app, buckets

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (scope["method"], scope["path"]) not in self.LIMITED:
            return await self.app(scope, receive, send)
        wait = self.buckets.take(client_of(scope))
        if wait:
            return await _error(scope, send, 429, TOO_MANY, {"retry-after": retry_after(wait)})
        await self.app(scope, receive, send)


TOO_MANY = "too many questions at once; please wait a moment"


def retry_after(wait: float) -> str:
    return str(max(1, math.ceil(wait)))
