"""What the faces (CLI, API, page) share about a conversation the client keeps.

The core validates a question and its history too; checking here first lets every face name *which* earlier
question is wrong ("history[2]: the question is empty") with the core's own words and the running settings'
limits, so no face keeps its own copy of the rules or their messages.
"""

from __future__ import annotations

from bot.engine import clean_history, clean_question
from bot.settings import Settings


def check_question(question: object, settings: Settings) -> str:
    """The core's check for one question, with the running settings' limit."""
    return clean_question(question, settings.max_question_chars)


def check_history(history: object, settings: Settings) -> list[str]:
    """Earlier questions, oldest first: the core's own check (`bot.engine.clean_history`), as the faces send them."""
    clean_history(history, settings)
    return list(history) if history is not None else []


def recent(questions: list[str], settings: Settings) -> list[str]:
    """The earlier questions a new one may lean on: the newest `settings.max_history`, oldest first."""
    return questions[-settings.max_history :] if settings.max_history > 0 else []


def shorten(text: str, limit: int = 60) -> str:
    """One line of at most `limit` characters, cut at a word; the caller adds the ellipsis."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat.rstrip(".?!…")
    cut = flat[:limit].rsplit(" ", 1)[0] or flat[:limit]
    return cut.rstrip(",;:.?!…")
