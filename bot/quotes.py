"""Choose the exact sentences to quote from the retrieved chunks.

Every sentence of each candidate chunk is scored: its own cosine blended
with its chunk's, which gives terse sentences their context. (Adding lexical
overlap at this level made `bot eval` worse; BM25 already acts on chunks.)
A sentence grows to at most three sentences of its paragraph when a neighbour
is nearly as relevant or it leans on the one before ("It...", "However...").
Questions in the text ("Is this effective?"), and the whole paragraph a
question ends (a reader's letter in a Q&A article), are never quoted: they
ask, they do not answer. Quotes never overlap, and a second article that also
answers is preferred to a second quote from the first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from bot.retrieve import RRF_K, Candidate
from index.reader import ASKS, DOC, END, PARAGRAPH, START, WORDS, Index

MAX_SENTENCES = 3
MAX_WORDS = 90
EXTEND_MARGIN = 0.2
KEEP_MARGIN = 0.3
SENTENCE_WEIGHT = 0.7  # the rest is the chunk's cosine: context for terse sentences
DOC_PENALTY = 0.1
RRF_WEIGHT = 0.5  # tuned on bot eval and MedQuAD questions together (see tests/medquad.py)
NEAR_DUPLICATE = 0.8
LEANS_BACK = re.compile(r"^(it|this|these|that|those|they|he|she|such|however|but|and|so|also|then|its)\b", re.I)


@dataclass(frozen=True)
class Window:
    doc: int
    first: int  # global sentence rows [first, last)
    last: int
    score: float  # how well these sentences answer; below `min_relevance` means "not an answer"
    rank: float  # orders the quotes: `score` plus the chunk's hybrid (RRF) standing

    def overlaps(self, other: Window) -> bool:
        return self.doc == other.doc and self.first < other.last and other.first < self.last


def _text(index: Index, row: int) -> str:
    doc, start, end = index.sentences[row, DOC : END + 1]
    return index.documents[doc].text[start:end]


def best_windows(index: Index, qvec: np.ndarray, candidates: list[Candidate], top_k: int = 3) -> list[Window]:
    """The quotable sentences of the candidate chunks, best first, grown into scored windows.

    A window ranks as its anchor sentence does, so only the `4 * top_k + 4` best anchors are
    grown: enough for `select` to skip overlaps and near-duplicates, and the rest is never read.
    """
    anchors = []
    for cand in candidates:
        doc, first, last = (int(x) for x in index.chunks[cand.chunk])
        lo, hi = max(first - 1, 0), min(last + 1, len(index.sentences))
        rows = np.arange(lo, hi)
        rows = rows[index.sentences[rows, DOC] == doc]
        cos = np.asarray(index.sentence_vectors[rows], dtype=np.float32) @ qvec
        score = SENTENCE_WEIGHT * cos + (1 - SENTENCE_WEIGHT) * cand.dense
        prior = RRF_WEIGHT * cand.fused * (RRF_K + 1) / 2  # 1.0 for a chunk ranked first by both retrievers
        quotable = index.sentences[rows, ASKS] == 0
        inside = (rows >= first) & (rows < last) & quotable
        anchors += [
            (float(score[i]) + prior, doc, rows, quotable, score, int(i), prior) for i in np.flatnonzero(inside)
        ]
    anchors.sort(key=lambda a: (-a[0], a[1], int(a[2][a[5]])))
    return [_grow(index, *anchor[1:]) for anchor in anchors[: 4 * top_k + 4]]


def _grow(
    index: Index, doc: int, rows: np.ndarray, quotable: np.ndarray, score: np.ndarray, best: int, prior: float
) -> Window:
    """Extend the sentence at `best` into a self-contained window of up to three sentences."""
    paragraph, words = index.sentences[rows, PARAGRAPH], index.sentences[rows, WORDS]
    a, b = best, best + 1
    count = int(words[best])
    while b - a < MAX_SENTENCES:
        leans = LEANS_BACK.match(_text(index, int(rows[a]))) is not None
        before = a > 0 and quotable[a - 1] and paragraph[a - 1] == paragraph[a]
        after = b < len(rows) and quotable[b] and paragraph[b] == paragraph[b - 1]
        if before and (leans or score[a - 1] >= score[best] - EXTEND_MARGIN):
            step = a - 1
        elif after and (count < 8 or score[b] >= score[best] - EXTEND_MARGIN):
            step = b
        else:
            break
        if count + words[step] > MAX_WORDS:
            break
        count += int(words[step])
        a, b = (step, b) if step < a else (a, step + 1)
    return Window(doc, int(rows[a]), int(rows[b - 1]) + 1, float(score[best]), float(score[best]) + prior)


def _words_of(index: Index, w: Window) -> set[str]:
    doc = index.documents[w.doc]
    return set(doc.text[int(index.sentences[w.first, START]) : int(index.sentences[w.last - 1, END])].lower().split())


def near_duplicate(a: set[str], b: set[str]) -> bool:
    """Jaccard >= 0.8: the same passage republished (common in health corpora) is quoted once."""
    return bool(a and b) and len(a & b) / len(a | b) >= NEAR_DUPLICATE


def select(index: Index, windows: list[Window], top_k: int, min_relevance: float) -> list[Window]:
    """Greedy, non-overlapping, best first.

    A short answer (top_k <= 3) keeps quotes near the best one, and a second quote from an article
    costs `DOC_PENALTY`, so another article that answers nearly as well wins. A long list
    (top_k > 3) is a ranked list of distinct articles above the relevance bar, repeats only last.
    """
    broad = top_k > 3
    pool = [w for w in windows if w.score >= min_relevance]
    if not pool:
        return []
    if not broad:
        floor = max(w.rank for w in pool) - KEEP_MARGIN
        pool = [w for w in pool if w.rank >= floor]
    penalty = 1.0 if broad else DOC_PENALTY
    chosen: list[Window] = []
    chosen_words: list[set[str]] = []
    while pool and len(chosen) < top_k:
        taken = [c.doc for c in chosen]
        best = max(pool, key=lambda w: (w.rank - penalty * taken.count(w.doc), -w.doc, -w.first))
        pool = [w for w in pool if not w.overlaps(best) and w is not best]
        words = _words_of(index, best)
        if any(near_duplicate(words, other) for other in chosen_words):
            continue
        chosen.append(best)
        chosen_words.append(words)
    return chosen
