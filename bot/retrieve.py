"""Hybrid retrieval: dense (FAISS) and BM25 candidates fused by reciprocal rank.

Dense search catches lay wording ("pills" ~ "medication"); BM25 catches the
exact rare words (drug names, "Kerastem") that embeddings blur. RRF needs no
score calibration between the two, which is why it is the usual choice.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from index.reader import Index

RRF_K = 60
POOL = 100  # candidates from each retriever; 40 lost a few MedQuAD answers, 100 costs ~0.1 ms


@dataclass(frozen=True)
class Candidate:
    chunk: int
    fused: float
    dense: float  # cosine of question and chunk


def hybrid_search(index: Index, question: str, qvec: np.ndarray, pool: int = POOL, keep: int = 8) -> list[Candidate]:
    """The `keep` best chunks by RRF over the top `pool` of each retriever."""
    pool = min(pool, index.dense.ntotal)
    scores, ids = index.dense.search(qvec[None, :], pool)
    dense_ids, dense_scores = ids[0][ids[0] >= 0], scores[0][ids[0] >= 0]
    lexical_ids, _ = index.bm25.search(question, pool)
    fused: dict[int, float] = {}
    for ranking in (dense_ids, lexical_ids):
        for rank, chunk in enumerate(ranking.tolist()):
            fused[chunk] = fused.get(chunk, 0.0) + 1.0 / (RRF_K + rank + 1)
    cosine = dict(zip(dense_ids.tolist(), dense_scores.tolist(), strict=True))
    best = sorted(fused, key=lambda c: (-fused[c], c))[:keep]
    missing = [c for c in best if c not in cosine]
    if missing:  # BM25-only hits: score them densely too, so every candidate has a cosine
        vectors = np.vstack([index.dense.reconstruct(int(c)) for c in missing])
        cosine.update(zip(missing, (vectors @ qvec).tolist(), strict=True))
    return [Candidate(c, fused[c], float(cosine[c])) for c in best]
