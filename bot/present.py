"""How an `Answer` reads, whatever the face (terminal or page): notices first, what is missing, the focus.

The CLI and the web page format differently (ANSI vs HTML) but must say the same things in the same order;
the decisions live here so the two cannot drift.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.answer import NOTICES, Answer, Quote
from bot.dates import date_in_words

# shown before each notice's fixed text, so the most urgent words come first
NOTICE_TITLES = {
    "crisis": "Please get help now.",
    "emergency": "Please act now.",
    "dosing": "About your own medicines:",
    "language": "About language:",
}
URGENT = {"crisis", "emergency"}


@dataclass(frozen=True)
class Notice:
    kind: str
    title: str
    text: str

    @property
    def urgent(self) -> bool:
        return self.kind in URGENT


def notices(answer: Answer) -> list[Notice]:
    """Every notice, most urgent first; an answer that fills only the older `notice` text still gets its box."""
    kinds = [k for k in NOTICES if k in answer.notices] + [k for k in answer.notices if k not in NOTICES]
    out = [Notice(k, NOTICE_TITLES.get(k, "Please read:"), NOTICES.get(k, "")) for k in kinds]
    if not out and answer.notice:
        kind = next((k for k, text in NOTICES.items() if text == answer.notice), "notice")
        out.append(Notice(kind, NOTICE_TITLES.get(kind, "Please read:"), answer.notice))
    return [n for n in out if n.text]


def missing_line(answer: Answer) -> str | None:
    """A line like "These articles don't mention: pregnancy, price", unless the message names them all."""
    if not answer.missing:
        return None
    message = (answer.message or "").lower()
    if all(term.lower() in message for term in answer.missing):
        return None
    return "These articles don't mention: " + ", ".join(answer.missing)


def focus_parts(quote: Quote) -> list[tuple[str, bool]]:
    """The quote as (text, is_focus) pieces that join back to `quote.text` exactly.

    No emphasis when the focus is missing, outside the quote, or the whole quote (nothing to pick out).
    """
    a, b = quote.focus_start, quote.focus_end
    if a is None or b is None or not quote.start <= a < b <= quote.end or (a, b) == (quote.start, quote.end):
        return [(quote.text, False)]
    a, b = a - quote.start, b - quote.start
    pieces = [(quote.text[:a], False), (quote.text[a:b], True), (quote.text[b:], False)]
    return [p for p in pieces if p[0]]


def citation(quote: Quote) -> str:
    """Title, publisher, date in words and page: what a reader needs to find the article; no offsets."""
    src = quote.source
    page = f"page {quote.page}" if quote.page else None
    return ", ".join(x for x in (src.title, src.publisher, date_in_words(src.date), page) if x)
