"""Sentences and chunks that remember exactly where they came from.

Every span is a `[start, end)` pair into the cleaned article text, so a quote
can always be shown as `text[start:end]` — verbatim by construction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import blingfire

from index.clean import PAGE_MARKER

LEADING_JUNK = re.compile(r"^[\s:;,\-–—•·|>*]+")
HAS_WORD = re.compile(r"\w", re.UNICODE)
FIRST_PERSON = re.compile(r"\b(i|me|my|mine|myself)\b", re.I)  # "I", "I'm", "I’ve": the writer speaks of themself
PARAGRAPH = re.compile(r"\S(?:.*?\S)?(?=\n\s*\n|\s*\Z)", re.S)


@dataclass(frozen=True)
class Span:
    start: int
    end: int


def _trim(text: str, start: int, end: int) -> Span | None:
    """Drop surrounding whitespace and leading list/colon debris; None if no word is left."""
    piece = text[start:end]
    lead = LEADING_JUNK.match(piece)
    if lead:
        start += lead.end()
    while end > start and text[end - 1].isspace():
        end -= 1
    if end <= start or not HAS_WORD.search(text, start, end):
        return None
    return Span(start, end)


def split_sentences(text: str) -> list[Span]:
    """Sentence spans, in order, never overlapping and never crossing a paragraph.

    PDF page markers ("[page 2]") are paragraphs of their own and are skipped:
    they place quotes on pages, they are never quoted.

    blingfire finds the boundaries; its offsets are then checked against the
    text, and any stretch it skipped becomes a sentence of its own, so no
    content is ever lost to the splitter.
    """
    spans: list[Span] = []
    for para in PARAGRAPH.finditer(text):
        base, body = para.start(), para.group()
        if PAGE_MARKER.match(body):
            continue
        cursor = 0
        _, offsets = blingfire.text_to_sentences_and_offsets(body)
        for start, end in offsets:
            start, end = max(start, cursor), min(end, len(body))
            if start > cursor:  # splitter skipped something: keep it
                _add(spans, text, base + cursor, base + start)
            if end > start:
                _add(spans, text, base + start, base + end)
                cursor = end
        if cursor < len(body):
            _add(spans, text, base + cursor, base + len(body))
    return spans


def _add(spans: list[Span], text: str, start: int, end: int) -> None:
    span = _trim(text, start, end)
    if span is not None:
        spans.append(span)


def asks(text: str) -> bool:
    """Ends with a question mark (closing quotes and brackets aside)."""
    return text.rstrip("\"'”’) ").endswith("?")


def sentence_facts(text: str, spans: list[Span]) -> list[tuple[int, int, bool]]:
    """Per sentence: paragraph number, word count, and whether it asks rather than tells.

    A sentence asks when it is a question or sits in a reader's letter: a paragraph in the first person
    singular that ends with a question ("Doctor, I am 25. I lose hair when I wash it. Is it alopecia?"). An
    author's paragraph that closes on a rhetorical question ("There are two trials recruiting now. Are you
    still worried?") still tells: its statements stay quotable. Stored with the index so answering needs no
    text scanning.
    """
    facts, paragraph, cursor = [], 0, 0
    for span in spans:
        paragraph += text.count("\n\n", cursor, span.start)
        cursor = span.start
        para_start, para_end = text.rfind("\n\n", 0, span.start) + 1, text.find("\n\n", span.end)
        para_end = len(text) if para_end < 0 else para_end
        letter = asks(text[max(span.start, para_end - 8) : para_end]) and FIRST_PERSON.search(
            text[para_start:para_end]
        ) is not None
        question = asks(text[span.start : span.end]) or letter
        facts.append((paragraph, len(text[span.start : span.end].split()), question))
    return facts


@dataclass(frozen=True)
class Chunk:
    """Sentences `[first, last)` of one article, by index into its sentence list."""

    first: int
    last: int


def make_chunks(text: str, sentences: list[Span], max_words: int = 110, max_sentences: int = 6) -> list[Chunk]:
    """Group consecutive sentences greedily into chunks of bounded size.

    Small enough for the encoder's 256-token window, large enough to carry
    context; a chunk never splits a sentence.
    """
    chunks, first, count = [], 0, 0
    for i, span in enumerate(sentences):
        n = len(text[span.start : span.end].split())
        if i > first and (count + n > max_words or i - first >= max_sentences):
            chunks.append(Chunk(first, i))
            first, count = i, 0
        count += n
    if sentences:
        chunks.append(Chunk(first, len(sentences)))
    return chunks
