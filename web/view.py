"""An `Answer` made ready for `_answer.html`: the page's one rendering of an answer.

Both the no-JavaScript page and the fragment the script inserts are rendered from this, so what a patient
sees does not depend on whether the script ran. The sentences around each quote come from the core's stored
sentence spans (`Bot.neighbours`), never recomputed in the browser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote as urlquote

from bot.answer import Answer, Quote
from bot.conversation import shorten
from bot.engine import Bot
from bot.present import Notice, focus_parts, missing_line, notices
from index.errors import BotError

# the phone numbers in the fixed notices: 999, 112, 911, 988, "116 123"
PHONE = re.compile(r"(?<![\w-])(\d{3}(?: \d{3})?)(?![\w-])")


@dataclass(frozen=True)
class QuoteView:
    quote: Quote
    parts: list[tuple[str, bool]]  # (text, is_focus), joining back to quote.text
    href: str  # the source view, scrolled to the marked quote
    before: str | None  # the article's sentence just before the quote, for "show context"
    after: str | None


@dataclass(frozen=True)
class AnswerView:
    answer: Answer
    notices: list[Notice]
    context: str | None  # the earlier question this one was read with, shortened
    missing: str | None
    quotes: list[QuoteView]


def tel_parts(text: str) -> list[tuple[str, str | None]]:
    """(text, tel) pieces: tel is the number to dial for a phone number, None for plain text."""
    out: list[tuple[str, str | None]] = []
    last = 0
    for m in PHONE.finditer(text):
        out += [(text[last : m.start()], None), (m.group(1), m.group(1).replace(" ", ""))]
        last = m.end()
    out.append((text[last:], None))
    return [p for p in out if p[0]]


def source_href(source_id: str, start: int | None = None, end: int | None = None) -> str:
    href = "/sources/" + urlquote(source_id, safe="")
    return href if start is None else f"{href}?start={start}&end={end}#quote"


Span = tuple[int, int, str]  # start, end, the article's text[start:end]


def around(bot: Bot, source_id: str, start: int, end: int) -> tuple[Span | None, Span | None]:
    """The sentences just before and after [start, end), as the index split them (the page and the API)."""
    before, after = bot.neighbours(source_id, start, end)
    text = bot.source(source_id).text

    def span(bounds: tuple[int, int] | None) -> Span | None:
        return (bounds[0], bounds[1], text[bounds[0] : bounds[1]]) if bounds else None

    return span(before), span(after)


def _around_text(bot: Bot, quote: Quote) -> tuple[str | None, str | None]:
    try:
        before, after = around(bot, quote.source.id, quote.start, quote.end)
    except BotError:  # the quote's article changed under a reload: show the quote without context
        return None, None
    return (before[2] if before else None), (after[2] if after else None)


def answer_view(bot: Bot, answer: Answer, history: list[str]) -> AnswerView:
    """Everything `_answer.html` shows; `history` is what the answer's `context_from` points into."""
    quotes = []
    for q in answer.quotes:
        before, after = _around_text(bot, q)
        quotes.append(QuoteView(q, focus_parts(q), source_href(q.source.id, q.start, q.end), before, after))
    i = answer.context_from
    context = shorten(history[i]) if i is not None and 0 <= i < len(history) else None
    return AnswerView(answer, notices(answer), context, missing_line(answer), quotes)
