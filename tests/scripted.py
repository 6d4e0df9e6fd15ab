"""A real bot with a few scripted answers, and a real uvicorn server for it in a thread.

The faces must render every field the core may fill (notices, missing, notes, context_from) whatever the
core decides today; scripting those answers tests the rendering without depending on the classifier.
"""

from __future__ import annotations

import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace

from bot.answer import NOT_FOUND, NOTICES, Answer

Edit = Callable[[Answer, list[str]], Answer]
OLD_NOTE = "This article is from 2016; treatments may have changed since."


def emergency(answer: Answer, history: list[str]) -> Answer:
    return replace(answer, notices=["emergency", "dosing"], notice=NOTICES["emergency"])


def follow_up(answer: Answer, history: list[str]) -> Answer:
    return replace(answer, context_from=0 if history else None, notes=[OLD_NOTE])


def not_mentioned(answer: Answer, history: list[str]) -> Answer:
    return replace(answer, answered=False, quotes=[], message=NOT_FOUND, missing=["pregnancy"])


SCRIPT: dict[str, Edit] = {
    "chest pain and i can't breathe": emergency,
    "and what about that one?": follow_up,
    "can i take it while pregnant?": not_mentioned,
}


class ScriptedBot:
    """Delegates to the real bot; a scripted question's real answer is then edited by its script."""

    def __init__(self, real: object, script: dict[str, Edit] | None = None) -> None:
        self.real = real
        self.script = SCRIPT if script is None else script

    def ask(self, question: str, top_k: int | None = None, history: list[str] | None = None) -> Answer:
        answer = self.real.ask(question, top_k, history)
        edit = self.script.get(" ".join(question.lower().split()))
        return edit(answer, history or []) if edit else answer

    def __getattr__(self, name: str) -> object:
        return getattr(self.real, name)


@contextmanager
def served_app(app: object) -> Iterator[str]:
    """`app` on uvicorn on a free 127.0.0.1 port, in this process; yields the base URL."""
    import uvicorn

    from tests.serving import free_port

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1):
                break
        except OSError:
            if time.monotonic() > deadline or not thread.is_alive():
                raise
            time.sleep(0.05)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(10)
