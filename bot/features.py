"""Candidate quote windows and the evidence about each, as one feature row per window.

Candidates: every 1- and 2-sentence window (inside one paragraph, never a question) of the chunks hybrid
retrieval found, plus the chunks of the sentences sentence-level BM25 and cosine rank highest and of the windows
window-level fusion ranks highest. The evidence is cheap and precomputed where it can be (vectors, BM25
statistics, answer-type tags and question links all come from the index); the cross-encoder is added later, for
the few windows that survive the first cut.
How the evidence is weighed is not decided here: `bot.ranker` applies weights fitted on data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bot.retrieve import RRF_K, Candidate
from index.reader import ASKS, DOC, PARAGRAPH, QLINK, TAGS, WORDS, Index
from index.tags import question_type

MAX_WINDOW = 2  # sentences
BM25_SENTENCES = 20  # best sentences by sentence-level BM25 whose chunks join the candidates
DENSE_SENTENCES = 20  # ... and by sentence cosine, over every sentence (a chunk's vector blurs a one-line answer)
FUSED_WINDOWS = 20  # ... and the windows of the whole index that window-level fusion ranks highest (see `WindowFusion`)

FEATURES = [
    "cos_max",  # best cosine of a window sentence with the question
    "cos_mean",
    "cos_gap",  # cos_max minus the best cos_max of any candidate: relative standing
    "cos_prev",  # cosine of the sentence before the window: its context ("It is sold in..." knows "It")
    "chunk_cos",  # cosine of the whole chunk (title included)
    "rrf",  # the chunk's hybrid-retrieval standing, 1.0 = first for both retrievers
    "win_rrf",  # the window's own standing among every window of the index (the same fusion, window-level)
    "bm25",  # sentence-level BM25 of the window, relative to the best candidate
    "bm25_log",
    "type_match",  # the question asks for a number/time/place/agent and the window holds one
    "type_miss",  # ... and the window holds none
    "qlink",  # cosine of the question with the article's question this window answers (Q&A structure)
    "route",  # the bundled articles: how much the fit questions nearest the message point here (`bot.route`)
    "two",  # a two-sentence window
    "log_words",
]


@dataclass(frozen=True)
class Windows:
    """Candidate windows of one query: sentence rows [first, last) and their feature matrix."""

    first: np.ndarray
    last: np.ndarray
    x: np.ndarray  # (windows, len(FEATURES))
    best: np.ndarray  # per window, the row of its sentence most similar to the question (for emphasis)

    def __len__(self) -> int:
        return len(self.first)


def candidate_windows(
    index: Index, question: str, qvec: np.ndarray, candidates: list[Candidate], route: np.ndarray | None = None
) -> Windows:
    """All 1-2 sentence windows of the candidate chunks, with their evidence. `route` (per sentence, `bot.route`;
    None elsewhere) adds the chunks it points at and the `route` feature."""
    chunk_fused = {c.chunk: c.fused * (RRF_K + 1) / 2 for c in candidates}
    chunk_cos = {c.chunk: c.dense for c in candidates}
    bm25_all = index.sentence_bm25.scores(question) if index.sentence_bm25 is not None else None
    chunks = set(chunk_fused)
    if bm25_all is not None:
        top = np.argpartition(-bm25_all, min(BM25_SENTENCES, len(bm25_all)) - 1)[:BM25_SENTENCES]
        chunks |= {int(index.sentence_chunk[r]) for r in top if bm25_all[r] > 0}
    # every sentence: ~1 ms per 10k; the query cast, not the product, so a float64 qvec never promotes the whole
    # matrix, and WindowFusion.standing compares float32 with float32
    cos_all = np.asarray(index.sentence_vectors, dtype=np.float32) @ np.asarray(qvec, dtype=np.float32)
    top = np.argpartition(-cos_all, min(DENSE_SENTENCES, len(cos_all)) - 1)[:DENSE_SENTENCES]
    chunks |= {int(index.sentence_chunk[r]) for r in top}
    fusion = WindowFusion(index, cos_all, bm25_all)
    chunks |= {int(index.sentence_chunk[r]) for r in fusion.best_rows(FUSED_WINDOWS)}
    if route is not None:
        chunks |= {int(index.sentence_chunk[r]) for r in np.flatnonzero(route > 0)}
    missing = [c for c in chunks if c not in chunk_cos]
    if missing:
        vectors = np.vstack([index.dense.reconstruct(int(c)) for c in missing])
        chunk_cos.update(zip(missing, (vectors @ qvec).tolist(), strict=True))

    rows = np.concatenate([np.arange(*index.chunks[c, 1:3]) for c in sorted(chunks)]) if chunks else np.zeros(0, int)
    if len(rows) == 0:
        return Windows(np.zeros(0, int), np.zeros(0, int), np.zeros((0, len(FEATURES)), np.float32), np.zeros(0, int))
    sent = index.sentences
    n = len(sent)
    cos = cos_all[rows]
    cos_of = dict(zip(rows.tolist(), cos.tolist(), strict=True))
    bm25 = bm25_all[rows] if bm25_all is not None else np.zeros(len(rows), np.float32)
    bm25_of = dict(zip(rows.tolist(), bm25.tolist(), strict=True))
    qtype = question_type(question)

    firsts, lasts = [], []
    for r in rows.tolist():
        if sent[r, ASKS]:
            continue
        firsts.append(r)
        lasts.append(r + 1)
        nxt = r + 1
        if nxt < n and nxt in cos_of and not sent[nxt, ASKS] and sent[nxt, DOC] == sent[r, DOC]:
            if sent[nxt, PARAGRAPH] == sent[r, PARAGRAPH]:
                firsts.append(r)
                lasts.append(nxt + 1)
    first, last = np.array(firsts, dtype=np.int64), np.array(lasts, dtype=np.int64)
    if len(first) == 0:
        return Windows(first, last, np.zeros((0, len(FEATURES)), np.float32), first)
    two = (last - first) == 2
    second = np.where(two, first + 1, first)
    c1 = np.array([cos_of[r] for r in first.tolist()], np.float32)
    c2 = np.array([cos_of[r] for r in second.tolist()], np.float32)
    cos_max = np.maximum(c1, c2)
    best = np.where(c2 > c1, second, first)
    prev_ok = (first > 0) & (sent[np.maximum(first - 1, 0), DOC] == sent[first, DOC])
    prev_rows = np.maximum(first - 1, 0)
    cos_prev = np.where(prev_ok, cos_all[prev_rows], 0.0)
    chunk_of = index.sentence_chunk[first]
    b1 = np.array([bm25_of[r] for r in first.tolist()], np.float32)
    b2 = np.array([bm25_of[r] for r in second.tolist()], np.float32)
    bmax = np.maximum(b1, b2)
    tags = sent[first, TAGS] | sent[second, TAGS]
    links = np.maximum(sent[first, QLINK], sent[second, QLINK])
    qlink = np.zeros(len(first), np.float32)
    has_link = links >= 0
    if has_link.any():
        qlink[has_link] = cos_all[links[has_link]]
    words = sent[first, WORDS] + np.where(two, sent[second, WORDS], 0)
    x = np.column_stack(
        [
            cos_max,
            (c1 + c2) / 2,
            cos_max - cos_max.max(),
            cos_prev,
            np.array([chunk_cos[int(c)] for c in chunk_of], np.float32),
            np.array([chunk_fused.get(int(c), 0.0) for c in chunk_of], np.float32),
            fusion.standing(cos_max, np.where(two, b1 + b2, b1)),
            bmax / (bmax.max() + 1e-6),
            np.log1p(bmax),
            ((tags & qtype) > 0) if qtype else np.zeros(len(first)),
            ((tags & qtype) == 0) if qtype else np.zeros(len(first)),
            qlink,
            np.maximum(route[first], route[second]) if route is not None else np.zeros(len(first)),
            two,
            np.log1p(words),
        ]
    ).astype(np.float32)
    return Windows(first, last, x, best)


def window_evidence(index: Index, cos_all: np.ndarray, bm25_all: np.ndarray | None) -> tuple:
    """Every window of the index: (dense, lexical) = its best sentence cosine and its summed sentence BM25 (None
    without BM25). What window-level fusion and the baselines (`bot.baselines`) rank windows by."""
    first, last = index.windows
    second = np.where(last - first == 2, first + 1, first)
    dense = np.maximum(cos_all[first], cos_all[second])
    lexical = None if bm25_all is None else bm25_all[first] + np.where(second > first, bm25_all[second], 0)
    return dense, lexical


class WindowFusion:
    """Reciprocal-rank fusion of windows' ranks among every window of the index — by best sentence cosine and by
    summed sentence BM25 — scaled so 1.0 is first for both. A chunk's rank blurs its sentences; this is (up to ties,
    which here share the best rank) the standing the plain RRF + cross-encoder baseline (`bot.baselines`) shortlists
    by. Two sorts of every window per search text: ~1 ms at 15k windows."""

    def __init__(self, index: Index, cos_all: np.ndarray, bm25_all: np.ndarray | None) -> None:
        self.first, self.last = index.windows
        self.dense, self.lexical = window_evidence(index, cos_all, bm25_all)
        self.sorted_dense = np.sort(self.dense)
        self.sorted_lexical = None if self.lexical is None else np.sort(self.lexical)

    def standing(self, dense: np.ndarray, lexical: np.ndarray) -> np.ndarray:
        """The fused standing of windows with this evidence (`dense`: best sentence cosine; `lexical`: summed BM25)."""
        n = len(self.sorted_dense)
        fused = 1 / (RRF_K + 1 + n - np.searchsorted(self.sorted_dense, dense, side="right"))
        if self.sorted_lexical is not None:
            fused = fused + 1 / (RRF_K + 1 + n - np.searchsorted(self.sorted_lexical, lexical, side="right"))
        else:
            fused = fused + 1 / (RRF_K + 1 + n)
        return (fused * (RRF_K + 1) / 2).astype(np.float32)

    def best_rows(self, k: int) -> np.ndarray:
        """The sentence rows of the `k` best-fused windows of the index, found among the windows scoring at least
        each retriever's m-th best, m = 2(k + 60) (exact: each of the k best by cosine alone fuses above 1/(61 + k),
        more than any window outside both can, at most 2/(61 + m); a tie at the m-th value keeps the whole tie). The
        fit half of covid-qa's long papers held the answer of 1.9% of questions only in fusion's 20 best windows,
        outside every candidate chunk."""
        n = len(self.dense)
        if n == 0 or k <= 0:
            return np.zeros(0, np.int64)
        m = min(2 * (k + RRF_K), n)
        union = _at_least_mth(self.dense, m)
        if self.lexical is not None:
            # windows of the lowest BM25 (mostly 0: a query of words the index lacks) share the worst lexical rank, so
            # the k best by cosine beat those outside the cosine cut: scoring them all cost ~0.4 s at 600k windows
            by_lexical = _at_least_mth(self.lexical, m)
            union = np.union1d(union, by_lexical[self.lexical[by_lexical] > self.lexical.min()])
        lexical = self.lexical[union] if self.lexical is not None else np.zeros(len(union))
        best = union[np.argsort(-self.standing(self.dense[union], lexical), kind="stable")[:k]]
        return np.concatenate([self.first[best], self.last[best] - 1])


def _at_least_mth(x: np.ndarray, m: int) -> np.ndarray:
    """Indices (ascending) of every entry at least the m-th largest: a tie at the cut is kept whole."""
    return np.flatnonzero(x >= np.partition(x, len(x) - m)[len(x) - m])
