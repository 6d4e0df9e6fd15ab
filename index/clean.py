"""Strip page furniture from scraped articles with general rules, not per-site hacks.

Scraped pages carry headline lists, "Also on ..." links, post navigation,
photo credits and captions, image alt text, share and QR pleas. None of it may
ever be quoted to a patient. The rules work line by line:

* a line is *prose* when it ends like a sentence and has a few words;
  short lines that are not prose (headings, credits, alt text, categories) go;
* known furniture phrases and calls to action (in short paragraphs) go;
* list headers ("Latest Stories", "Previous Post") take the headline run
  that follows them; lines next to "6 mins -" style separators are headlines;
* a title-case credit line glued to a short sentence marks a photo caption;
* a line equal to the title, seen before in the article, or (if short)
  repeated across several articles of the corpus is template, not content;
* a one-line article keeps its line whatever its shape.

The cleaned text keeps kept lines verbatim, separated by blank lines.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

PAGE_MARKER = re.compile(r"^\[page \d+\]$")
PAGE_BEFORE = re.compile(r"^\[page (\d+)\]$", re.M)
SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")
WORD = re.compile(r"\w+", re.UNICODE)
LIST_HEADER = re.compile(
    r"^(latest|top|more|related|trending|popular|recommended)( (stories|news|posts|articles|reads|videos|from .+))?:?$"
    r"|^(previous|next|older|newer) (post|article|story)$|^also on .+$|^most (read|popular|viewed|shared)$"
    r"|^you (may|might) (also )?like$|^read (more|next|also)$|^see also$|^more from .+$",
    re.I,
)
FURNITURE = re.compile(
    r"^(advertisement|advert|sponsored( content)?|share( this( article| story)?)?|tweet|print|email"
    r"|comments?|skip to (main )?content|image( source)?:.*|photo( credit)?:.*|credit:.*|getty images"
    r"|copyright .*|© .*|all rights reserved\.?|(updated|published|posted)( on)?:? .*\d.*)$",
    re.I,
)
CALL_TO_ACTION = re.compile(
    r"\b(scan the qr code|qr code below|free consultation|online consultation|contact us|call us|sign up (for|to)"
    r"|subscribe (to|now)|our newsletter|click here|view our|visit our|follow us|book (a|an|your) (free )?"
    r"(consultation|appointment)|download (our|the) app|share this (article|story|post))\b",
    re.I,
)
TIME_SEPARATOR = re.compile(
    r"^[-–—•|·]*\s*(\d+\s*(s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|weeks?)(\s+ago)?)?\s*[-–—•|·]*$",
    re.I,
)
DATELINE = re.compile(
    r"^(\w+,?\s+)?(\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}-\d{2}-\d{2}|\d{1,2} \w+ \d{4}|\w+ \d{1,2},? \d{4})"
    r"(,?\s+\d{1,2}:\d{2}(:\d{2})?\s*([AaPp][Mm])?\s*[A-Z]{0,4})?$"
)
SHORT_WORDS = 20
PROSE_MIN_WORDS = 4
RUN_END_WORDS = 25
CAPTION_MAX_WORDS = 16
CTA_MAX_WORDS = 60  # a plea is a short paragraph; a long one that mentions "contact us" is content


def page_at(text: str, offset: int) -> int | None:
    """The PDF page an offset of cleaned text falls on (from the nearest "[page N]" before it)."""
    markers = PAGE_BEFORE.findall(text, 0, offset)
    return int(markers[-1]) if markers else None


def words(line: str) -> int:
    return len(WORD.findall(line))


def is_prose(line: str) -> bool:
    """Ends like a sentence and is more than a fragment."""
    return bool(SENTENCE_END.search(line)) and words(line) >= PROSE_MIN_WORDS


def is_separator(line: str) -> bool:
    return bool(line) and bool(TIME_SEPARATOR.match(line))


def is_timed_separator(line: str) -> bool:
    """A "6 mins -" line between headline items; a bare "---" (a Markdown rule) separates paragraphs of content."""
    return is_separator(line) and any(c.isdigit() for c in line)


def is_credit(line: str) -> bool:
    """A short all-capitalised name line (photo credit, organisation) with no sentence shape."""
    tokens = line.split()
    small = {"of", "and", "the", "for", "at", "in", "de", "&"}
    return (
        1 <= len(tokens) <= 6
        and not SENTENCE_END.search(line)
        and all(t[:1].isupper() or t.lower() in small for t in tokens)
    )


def normalise(line: str) -> str:
    return " ".join(WORD.findall(line.lower()))


def template_lines(bodies: Sequence[str], min_docs: int = 2) -> set[str]:
    """Non-prose lines that occur in several articles: site template, not content."""
    if len(bodies) < min_docs:
        return set()
    seen: Counter[str] = Counter()
    for body in bodies:
        seen.update({normalise(s) for line in body.splitlines() if (s := line.strip()) and not is_prose(s)})
    return {line for line, n in seen.items() if n >= min_docs and line}


def clean_body(body: str, title: str = "", template: frozenset[str] | set[str] = frozenset()) -> str:
    """Return the article text without furniture: kept lines, verbatim, blank-line separated."""
    lines = [line.strip() for line in body.splitlines()]
    drop = [False] * len(lines)
    seen: set[str] = set()
    title_key = normalise(title)
    in_list = False
    for i, line in enumerate(lines):
        if not line:
            continue
        if PAGE_MARKER.match(line):
            in_list = False
            continue
        key = normalise(line)
        if LIST_HEADER.match(line):
            drop[i], in_list = True, True
            continue
        if in_list:
            if is_prose(line) and words(line) >= RUN_END_WORDS:
                in_list = False
            else:
                drop[i] = True
                continue
        drop[i] = (
            not key
            or is_separator(line)
            or bool(FURNITURE.match(line) or DATELINE.match(line))
            or (CALL_TO_ACTION.search(line) is not None and words(line) <= CTA_MAX_WORDS)
            or key == title_key
            or key in seen
            or (key in template and words(line) < SHORT_WORDS)
            or (not is_prose(line) and words(line) < SHORT_WORDS)
        )
        seen.add(key)
    _drop_headline_runs(lines, drop)
    _drop_captions(lines, drop)
    kept = _strip_glued_alt_text(lines, drop)
    content = [line for line in lines if line]
    if not kept and len(content) == 1 and normalise(content[0]) != title_key:
        kept = content  # a one-line article (a JSON-lines record) is all content, whatever its shape
    return "\n\n".join(kept)


def _neighbours(lines: list[str], i: int) -> tuple[str, str]:
    prev = next((lines[j] for j in range(i - 1, -1, -1) if lines[j]), "")
    nxt = next((lines[j] for j in range(i + 1, len(lines)) if lines[j]), "")
    return prev, nxt


def _drop_headline_runs(lines: list[str], drop: list[bool]) -> None:
    """A line beside a "6 mins -" separator is an item of a headline list."""
    for i, line in enumerate(lines):
        if line and not drop[i] and not PAGE_MARKER.match(line):
            prev, nxt = _neighbours(lines, i)
            if is_timed_separator(prev) or is_timed_separator(nxt):
                drop[i] = True


def _drop_captions(lines: list[str], drop: list[bool]) -> None:
    """A credit line directly followed (no blank line) by one short sentence is a photo caption."""
    for i in range(len(lines) - 1):
        nxt = lines[i + 1]
        if lines[i] and is_credit(lines[i]) and nxt and not drop[i + 1]:
            if words(nxt) <= CAPTION_MAX_WORDS and len(re.findall(r"[.!?](\s|$)", nxt)) <= 1:
                drop[i + 1] = True


def _strip_glued_alt_text(lines: list[str], drop: list[bool]) -> list[str]:
    """Image alt text often reappears glued to the next paragraph ("...hair lossHair loss in...")."""
    kept, dropped_recent = [], []
    for line, gone in zip(lines, drop, strict=True):
        if not line:
            continue
        if gone:
            dropped_recent = [*dropped_recent[-2:], line]
            continue
        for alt in dropped_recent:
            if line.startswith(alt) and len(line) > len(alt) and not line[len(alt)].isspace():
                line = line[len(alt) :]
                break
        kept.append(line)
        dropped_recent = []
    return kept
