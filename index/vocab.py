"""The corpus's words, each with a vector, and how common each English word is — for answerability.

"Can I take it while pregnant?" is answerable only if the articles speak of pregnancy. To tell, the bot
needs (1) which words of a question are salient (rare in English: `wordfreq`'s Zipf scale), and (2) whether
the articles cover each one, in their own words or a close one ("pills" ~ "tablets", "kids" ~ "children").
Both are precomputed here at index time, so the query path loads two small arrays and never imports
wordfreq: every word of the corpus embedded on its own, and the Zipf frequency of the 100,000 commonest
English words (a word not among them is rarer than that).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
ENGLISH_WORDS = 100_000
MIN_LENGTH = 3


def words_of(text: str) -> list[str]:
    return [w.lower().replace("’", "'") for w in WORD.findall(text) if len(w) >= MIN_LENGTH]


def build_vocab(texts: Iterable[str], get_encoder, path: Path, previous: Path | None = None) -> int:  # noqa: ANN001
    """Write `vocab.npz`: corpus words with unit vectors, and English Zipf frequencies. Returns the word count.

    Vectors of words the previous build already had are reused; only new words are embedded.
    """
    import wordfreq

    corpus = sorted({w for t in texts for w in words_of(t)})
    known: dict[str, np.ndarray] = {}
    if previous is not None and previous.is_file():
        old = np.load(previous)
        known = dict(zip(old["words"].tolist(), old["vectors"].astype(np.float32), strict=True))
    new = [w for w in corpus if w not in known]
    if new:
        known.update(zip(new, get_encoder().encode(new), strict=True))
    dim = next(iter(known.values())).shape[0] if known else 1
    vectors = np.vstack([known[w] for w in corpus]) if corpus else np.zeros((0, dim), np.float32)
    english = wordfreq.top_n_list("en", ENGLISH_WORDS)
    frequency = wordfreq.get_frequency_dict("en")  # one lookup table instead of 100,000 calls
    zipf = np.round(np.log10(np.array([frequency[w] for w in english])) + 9, 2).astype(np.float32)
    np.savez(path, words=np.array(corpus), vectors=vectors.astype(np.float16), english=np.array(english), zipf=zipf)
    return len(corpus)


@dataclass
class Vocab:
    words: dict[str, int]  # corpus word -> row of `vectors`
    vectors: np.ndarray
    zipf: dict[str, float]

    @classmethod
    def load(cls, path: Path) -> Vocab:
        data = np.load(path)
        words, english = data["words"].tolist(), data["english"].tolist()
        return cls(
            {w: i for i, w in enumerate(words)},
            data["vectors"].astype(np.float32),
            dict(zip(english, data["zipf"].tolist(), strict=True)),
        )

    def frequency(self, word: str) -> float:
        """Zipf frequency in English (7 = "the", 3 = rare); 0 for words rarer than the list holds."""
        return self.zipf.get(word, 0.0)

    def closest(self, vectors: np.ndarray) -> np.ndarray:
        """For each query vector, the best cosine with any corpus word (0 for an empty corpus)."""
        if not len(self.vectors) or not len(vectors):
            return np.zeros(len(vectors), np.float32)
        return (vectors @ self.vectors.T).max(axis=1)
