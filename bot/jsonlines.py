"""`bot ask --json` reading stdin: one line in, one JSON object out, whatever the line holds.

A line is a plain question or a conversation's turn as JSON, {"question": ..., "history": [...]}, so a script
can replay conversations. A bad line is answered with {"question", "error"} and the batch goes on: one broken
line must not cost the answers to the thousand after it.
"""

from __future__ import annotations

import json

from bot.conversation import check_history, check_question
from bot.engine import Bot, is_text
from index.errors import BotError, InvalidQuestion


def batch_line(bot: Bot, raw: bytes, top_k: int | None) -> dict:
    """One stdin line -> one output object; a bad line is reported and the batch goes on.

    A line is a question, or a JSON object {"question": ..., "history": [...]} for a conversation's turn.
    """
    line = raw.rstrip(b"\r\n")
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return {"question": line.decode("utf-8", errors="replace"), "error": "the line is not valid UTF-8 text"}
    question, history = text, None
    try:
        if text.lstrip().startswith("{"):
            question, history = json_turn(text)
        check_question(question, bot.settings)
        history = check_history(history, bot.settings)
        return bot.ask(question, top_k, history).to_dict()
    except BotError as exc:
        return {"question": _shown(question, text), "error": str(exc)}


def _shown(question: object, line: str) -> str:
    """The question as the error line echoes it: the line itself when the question is not text that can be
    written out (not a string, or a lone surrogate from a "\\udcff" escape)."""
    return question if isinstance(question, str) and is_text(question) else line


def json_turn(text: str) -> tuple[object, object]:
    """(question, history) from a JSON line; the values are checked by the caller, like any question."""
    try:
        turn = json.loads(text)
    except ValueError:
        raise InvalidQuestion('the line starts with "{" but is not valid JSON') from None
    if not isinstance(turn, dict) or "question" not in turn:
        raise InvalidQuestion('a JSON line needs a "question" (and optionally "history")')
    unknown = sorted(set(turn) - {"question", "history"})
    if unknown:
        raise InvalidQuestion(f"unknown field in the JSON line: {', '.join(unknown)}")
    return turn["question"], turn.get("history")
