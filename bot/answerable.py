"""Do the articles answer this at all? Salient concepts, their coverage, and one fitted decision.

A confident quote that does not answer is worse than none. Two kinds of evidence decide:
* coverage — the question's salient words (rare in English, `index.vocab`) each looked up in the articles:
  the word itself or its stem, else the nearest corpus word by embedding ("pills" finds "tablets", "kids"
  finds "children"; "pregnancy" finds nothing close). A concept covered nowhere is named in `missing`.
* relevance — the best window's fitted relevance and cross-encoder score (from `bot.ranker`), and whether
  it holds the kind of answer asked for (a number for "how many").
A logistic regression fitted by `python -m bot.fit` (weights in ranker.json) combines them; no hand-set cut.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_EN

from index.vocab import Vocab, words_of

STOP = set(STOPWORDS_EN) | {"can", "could", "would", "should", "will", "may", "might", "must", "does", "did",
                            "get", "got", "take", "taking", "make", "know", "want", "tell", "thanks", "please",
                            "anyone", "anything", "something", "really", "also", "still", "just", "much", "many"}
ANSWER_FEATURES = ["relevance", "ce", "coverage", "uncovered", "type_miss"]


@dataclass(frozen=True)
class Concepts:
    words: list[str]  # salient words of the question, in order
    coverage: np.ndarray  # per word: 1.0 if the articles use it (or its stem), else the best word cosine


class ConceptChecker:
    """Finds a question's salient words and how well the articles cover each; built once per index."""

    def __init__(self, vocab: Vocab, salient_zipf: float, covered: float) -> None:
        self.vocab = vocab
        self.salient_zipf = salient_zipf  # words rarer than this (Zipf) carry the question's topic
        self.covered = covered  # a word cosine at or above this counts as the articles' own word
        self.stemmer = Stemmer.Stemmer("english")
        self.stems = set(self.stemmer.stemWords(list(vocab.words)))

    def salient(self, question: str) -> list[str]:
        seen, out = set(), []
        for w in words_of(question):
            if w in STOP or w in seen or self.vocab.frequency(w) >= self.salient_zipf:
                continue
            seen.add(w)
            out.append(w)
        return out

    def check(self, question: str, encoder) -> Concepts:  # noqa: ANN001 - any Encoder
        words = self.salient(question)
        coverage = np.ones(len(words), np.float32)
        unknown = [i for i, w in enumerate(words)
                   if w not in self.vocab.words and self.stemmer.stemWord(w) not in self.stems]
        if unknown:
            coverage[unknown] = self.vocab.closest(encoder.encode([words[i] for i in unknown]))
        return Concepts(words, coverage)

    def missing(self, concepts: Concepts) -> list[str]:
        return [w for w, c in zip(concepts.words, concepts.coverage, strict=True) if c < self.covered]


def answer_features(relevance: float, ce: float, concepts: Concepts, covered: float, type_miss: float) -> np.ndarray:
    cov = concepts.coverage
    return np.array(
        [relevance, ce, float(cov.min()) if len(cov) else 1.0, float((cov < covered).sum()), type_miss], np.float32
    )
