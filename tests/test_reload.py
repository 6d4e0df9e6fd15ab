"""The bot owns its encoders: a reloaded bot serves exactly like the first one (batched encodes, reranker)."""

from __future__ import annotations

from dataclasses import replace

from fastapi.testclient import TestClient

from bot.batching import BatchingEncoder
from web.app import create_app


def test_reload_keeps_encodes_batched(settings):
    app = create_app(replace(settings, rate_limit_per_minute=0, batch_encodes=True))
    with TestClient(app) as client:
        first = app.state.bot
        assert isinstance(first.encoder, BatchingEncoder)
        assert client.post("/api/reload").json()["status"] == "reloaded"
        second = app.state.bot
        assert second is not first and isinstance(second.encoder, BatchingEncoder)
        assert second.reranker is not None and second.index.encoder is None  # one owner: the bot
        assert client.post("/api/ask", json={"question": "what is kerastem"}).json()["answered"]
