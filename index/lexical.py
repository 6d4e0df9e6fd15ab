"""BM25 over chunk texts with bm25s: English stop words, Snowball stemming.

The same tokenizer settings are used to index and to query, and the
vocabulary is saved beside the scores so a query maps to the same ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import bm25s
import numpy as np
import Stemmer


def _tokenizer() -> bm25s.tokenization.Tokenizer:
    return bm25s.tokenization.Tokenizer(stopwords="en", stemmer=Stemmer.Stemmer("english"))


def build_bm25(texts: Sequence[str], directory: Path) -> None:
    tokenizer = _tokenizer()
    tokens = tokenizer.tokenize(list(texts), return_as="tuple", show_progress=False)
    retriever = bm25s.BM25()
    retriever.index(tokens, show_progress=False)
    retriever.save(str(directory))
    tokenizer.save_vocab(str(directory))


class Bm25:
    """A loaded BM25 index: `search(text, k)` -> (chunk ids, scores), positives only."""

    def __init__(self, directory: Path) -> None:
        self.retriever = bm25s.BM25.load(str(directory), mmap=False)
        self.tokenizer = _tokenizer()
        self.tokenizer.load_vocab(str(directory))
        self.size = int(self.retriever.scores["num_docs"])
        self.empty_id = self.tokenizer.get_vocab_dict().get("")  # bm25s's placeholder for "no known word"

    def terms(self, text: str) -> list[int]:
        ids = self.tokenizer.tokenize([text], update_vocab=False, return_as="ids", show_progress=False)[0]
        return [i for i in ids if i != self.empty_id]

    def scores(self, text: str) -> np.ndarray | None:
        """BM25 score of every document for `text`, or None when no word of it is in the vocabulary."""
        terms = self.terms(text)
        if not terms or self.size == 0:
            return None
        return np.asarray(self.retriever.get_scores(terms), dtype=np.float32)

    def search(self, text: str, k: int) -> tuple[np.ndarray, np.ndarray]:
        terms = self.terms(text)
        if not terms or self.size == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        scores = self.retriever.get_scores(terms)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        keep = scores[top] > 0
        return top[keep].astype(np.int64), scores[top][keep].astype(np.float32)
