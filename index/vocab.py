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
# A rare word (wordfreq lists frequent misspellings: "actualy" 2.2) of 4+ letters is read as a typo of a one-edit
# neighbour with the same first letter that is this much commoner (Zipf; x100 in frequency) and common itself:
# "actualy" -> "actually" (5.5), "pregnent" -> "pregnant"; not "chlorine" (3.4; "chloride" is 3.4), "wig" (3.6, not
# "big"), "lazer" (2.7), "derm" (not "term"). Rarity alone called typos concepts the articles lack.
TYPO_RARER_THAN = 2.5
TYPO_GAP = 2.0
TYPO_FLOOR = 4.0
LETTERS = "abcdefghijklmnopqrstuvwxyz"


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

    def spelled(self, word: str) -> str:
        """The word a patient meant: a word the articles use stays; one a single edit (Norvig's: delete,
        swap, replace, insert) from a far commoner English word is read as that word ("rubing" -> "rubbing")."""
        rare = self.frequency(word) < TYPO_RARER_THAN and len(word) >= MIN_LENGTH + 1
        if not rare or word in self.words or not word.isalpha() or not word.isascii():
            return word
        splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
        edits = {a + b[1:] for a, b in splits if b}
        edits |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
        edits |= {a + c + b[1:] for a, b in splits if b for c in LETTERS}
        edits |= {a + c + b for a, b in splits for c in LETTERS}
        edits = {e for e in edits if e[:1] == word[:1] and e != word}
        best = max(edits, key=self.frequency, default=word)
        wanted = max(self.frequency(word) + TYPO_GAP, TYPO_FLOOR)
        return best if len(best) >= MIN_LENGTH and self.frequency(best) >= wanted else word

    def closest(self, vectors: np.ndarray) -> np.ndarray:
        """For each query vector, the best cosine with any corpus word (0 for an empty corpus)."""
        if not len(self.vectors) or not len(vectors):
            return np.zeros(len(vectors), np.float32)
        return (vectors @ self.vectors.T).max(axis=1)
