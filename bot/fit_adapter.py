"""Fit the query adapter (`bot.adapter`) for `bot.fit`, cross-fitted so the ranker is not fitted on flattery.

The adapter is fitted on the bundled articles' answerable `fit` questions. The ranker, fitted next on the same
questions, must see each question's vector as a patient's unseen question would look: so every question's
adapted vector comes from an adapter fitted on the other folds (grouped by question), and only the shipped
matrix is fitted on all of them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.adapter import QueryAdapter, fit_matrix, gold_sentences
from bot.questions import questions_in

FOLDS = 5


@dataclass
class CrossFitted:
    shipped: QueryAdapter
    by_question: dict[str, QueryAdapter]  # answerable fit question -> the adapter fitted without it

    def for_question(self, question: str) -> QueryAdapter:
        """Questions the adapter never saw (near misses, off-topic) get the shipped one, as a patient's would."""
        return self.by_question.get(question, self.shipped)

    def save(self, path: Path) -> dict:
        """Writes the matrix (.npy, byte-stable) and returns ranker.json's `adapter` entry."""
        np.save(path, self.shipped.matrix)
        return {"file": path.name, "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                "corpus_hash": self.shipped.corpus_hash, "encoder": self.shipped.encoder}


def cross_fit(index, encoder, labelled: list[tuple[dict, object]]) -> CrossFitted:  # noqa: ANN001
    """`labelled`: (item, suite) pairs of one corpus's answerable fit questions, every one scored by `suite.hit`."""
    first, last = index.windows
    vectors = np.asarray(index.sentence_vectors, dtype=np.float32)
    rows: list[tuple[int, str, np.ndarray]] = []  # (question number, its search text, gold sentences)
    for n, (item, suite) in enumerate(labelled):
        hits = suite.window_hits(item, index, first, last)
        if hits.any():
            gold = gold_sentences(first, last, hits, len(vectors))
            rows += [(n, q, gold) for q in questions_in(item["question"], whole=False)]
    qs = encoder.encode([q for _, q, _ in rows])
    number = np.array([n for n, _, _ in rows])
    gold = np.stack([g for *_, g in rows])
    key = index.manifest["corpus_hash"], index.manifest["files"]["encoder.onnx"]["xxh3_128"]

    def fitted(keep: np.ndarray) -> QueryAdapter:
        return QueryAdapter(fit_matrix(vectors, qs[keep], gold[keep]), *key)

    by_question = {}
    for f in range(FOLDS):
        adapter = fitted(number % FOLDS != f)
        by_question |= {labelled[n][0]["question"]: adapter for n in set(number[number % FOLDS == f].tolist())}
    print(f"query adapter: {len(set(number.tolist()))} questions, {len(rows)} search texts", flush=True)
    return CrossFitted(fitted(np.ones(len(rows), bool)), by_question)
