"""Choose which scored windows become quotes.

The windows arrive scored by the fitted ranker (`bot.ranker`); what is left is presentation: quotes never
overlap, the same passage republished elsewhere is quoted once, and nothing below the fitted relevance
threshold is quoted at all. A long list (`top_k` above 3) is a list of distinct articles, repeats last.
"""

from __future__ import annotations

from dataclasses import dataclass

from index.reader import Index

NEAR_DUPLICATE = 0.8


@dataclass(frozen=True)
class Window:
    doc: int
    first: int  # global sentence rows [first, last)
    last: int
    score: float  # fitted relevance in [0, 1]
    focus: int  # the sentence row inside the window that best answers (emphasised on the page)

    def overlaps(self, other: Window) -> bool:
        return self.doc == other.doc and self.first < other.last and other.first < self.last


def _words_of(index: Index, w: Window) -> set[str]:
    _, start, end = index.span(w.first, w.last)
    return set(index.documents[w.doc].text[start:end].lower().split())


def near_duplicate(a: set[str], b: set[str]) -> bool:
    """Jaccard >= 0.8: the same passage republished (common in health corpora) is quoted once."""
    return bool(a and b) and len(a & b) / len(a | b) >= NEAR_DUPLICATE


def select(index: Index, windows: list[Window], top_k: int, min_score: float) -> list[Window]:
    """Greedy in the given order (best first): non-overlapping, no near-duplicates, above `min_score`."""
    broad = top_k > 3
    pool = [w for w in windows if w.score >= min_score]
    if broad:  # distinct articles first, in score order; then the rest
        seen: set[int] = set()
        firsts = [w for w in pool if not (w.doc in seen or seen.add(w.doc))]
        pool = firsts + [w for w in pool if w not in firsts]
    chosen: list[Window] = []
    chosen_words: list[set[str]] = []
    for w in pool:
        if len(chosen) >= top_k:
            break
        if any(w.overlaps(c) for c in chosen):
            continue
        words = _words_of(index, w)
        if any(near_duplicate(words, other) for other in chosen_words):
            continue
        chosen.append(w)
        chosen_words.append(words)
    return chosen
