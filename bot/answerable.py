"""Do the articles answer this at all? Salient concepts, their coverage, and one fitted decision.

A confident quote that does not answer is worse than none. Three kinds of evidence decide:
* coverage — the question's salient words (rare in English, `index.vocab`) each looked up in the articles:
  the word itself or its stem, else the nearest corpus word by embedding ("pills" finds "tablets", "kids"
  finds "children"; "pregnancy" finds nothing close). A concept covered nowhere is named in `missing` (failing
  one, a concept the articles cover but the best quotes do not, with a message that says so).
* centrality — each word's embedding cosine with what the message asks: "pregnant" is what "Is it safe while
  pregnant?" is about; "actually" and a typo'd "actualy" are not, so they neither refuse nor get named.
* relevance — the best window's fitted relevance and cross-encoder score (from `bot.ranker`), and whether
  it holds the kind of answer asked for (a number for "how many").
A logistic regression fitted by `python -m bot.fit` (weights in ranker.json) combines them, and the fitted
absent-concept rule (`bot.decide.absent_words`) refuses on a central word the articles never come near; no
hand-set cut.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_EN

from index.vocab import Vocab, words_of

GREETINGS = {"thank", "hello", "hi", "hey", "ok", "okay", "cheers", "bye", "goodbye"}  # name no concept
STOP = set(STOPWORDS_EN) | GREETINGS | {
    "can", "could", "would", "should", "will", "may", "might", "must", "does", "did", "get", "got", "take", "taking",
    "make", "know", "want", "tell", "thanks", "please", "anyone", "anything", "something", "really", "also", "still",
    "just", "much", "many"}
ANSWER_FEATURES = ["ce", "corpus_min", "local_min", "local_mean", "type_miss", "salient"]


@dataclass(frozen=True)
class Concepts:
    words: list[str]  # salient words of the question, in order
    corpus: np.ndarray  # per word: 1.0 if the articles use it (or its stem), else the best cosine with their words
    local: np.ndarray  # the same against the words of the best quotes only: does the answer speak of it?
    zipf: np.ndarray | None = None  # per word: its English frequency (Zipf), how rare a concept it names
    central: np.ndarray | None = None  # per word: cosine with what the message asks: is it what it is about?

    @property
    def centrality(self) -> np.ndarray:
        """Per word, its centrality (every word counts as central when it was not measured)."""
        return self.central if self.central is not None else np.ones(len(self.words), np.float32)


class ConceptChecker:
    """Finds a question's salient words and how well the articles, and the best quotes, cover each."""

    def __init__(self, vocab: Vocab, salient_zipf: float, covered: float, central_above: float = -1.0) -> None:
        self.vocab = vocab
        self.central_above = central_above  # a word less central than this to what is asked is never named
        self.salient_zipf = salient_zipf  # words rarer than this (Zipf) carry the question's topic
        self.covered = covered  # a word cosine at or above this counts as the articles' own word
        self._stemmer = Stemmer.Stemmer("english")  # has internal state: used under a lock (the bot is shared)
        self._lock = threading.Lock()
        self.stems = set(self.stem(list(vocab.words)))

    def stem(self, words: list[str]) -> list[str]:
        with self._lock:
            return self._stemmer.stemWords(words)

    def theirs(self, words: list[str], stems: list[str] | None = None) -> list[bool]:
        """Per word: do the articles use it, as spelled or by its stem ("kerastems", "regrow")?"""
        stems = self.stem(words) if stems is None else stems
        return [w in self.vocab.words or s in self.stems for w, s in zip(words, stems, strict=True)]

    def salient(self, question: str) -> list[str]:
        seen, out = set(), []
        for w in words_of(question):
            if w in STOP or w in seen or self.vocab.frequency(w) >= self.salient_zipf:
                continue
            seen.add(w)
            out.append(w)
        return out

    def check(
        self, question: str, encoder, quoted: str = "", about: str = "", about_vector: np.ndarray | None = None  # noqa: ANN001
    ) -> Concepts:
        """Coverage of `question`'s salient words by the articles and by `quoted`; each word's centrality is read
        against `about` (what the patient asks, default the question; `about_vector`, its vector, when the caller
        has it): "pregnant" is what "Is it safe while pregnant?" is about, "actually" in "does it actually work?"
        is not."""
        words = self.salient(question)
        if not words:
            return Concepts([], np.ones(0, np.float32), np.ones(0, np.float32))
        stems = self.stem(words)
        if about_vector is None:
            vectors, asked = np.split(encoder.encode([*words, about or question]), [len(words)])  # one encoder call
            about_vector = asked[0]
        else:
            vectors = encoder.encode(words)
        central = (vectors @ about_vector).astype(np.float32)
        corpus = np.where(self.theirs(words, stems), 1.0, self.vocab.closest(vectors)).astype(np.float32)
        near = [w for w in dict.fromkeys(words_of(quoted)) if w in self.vocab.words]
        near_stems = set(self.stem(near))
        rows = [self.vocab.words[w] for w in near]
        best = (vectors @ self.vocab.vectors[rows].T).max(axis=1) if rows else np.zeros(len(words), np.float32)
        local = np.where([s in near_stems for s in stems], 1.0, best).astype(np.float32)
        zipf = np.array([self.vocab.frequency(w) for w in words], np.float32)
        return Concepts(words, corpus, local, zipf, central)

    def absent(self, concepts: Concepts, rarer_than: float, cosine_below: float, central_above: float = -1.0
               ) -> list[str]:
        """Rare concepts ("chlorine", "finasteride", "breastfeeding") that no word of the articles comes near and
        that the question is about: it asks about something they do not discuss, whatever else it shares with
        them. The cuts are fitted (`python -m bot.fit`) so that lay words of answerable questions ("creams",
        "shedding") and asides ("actualy", "honestly") pass."""
        if concepts.zipf is None or not len(concepts.words):
            return []
        # words outside wordfreq's list (Zipf 0) are left to the fitted model: in patients' messages most are typos
        # ("rubing", "regrew"), though the rarest drug names ("dutasteride") are there too
        hit = (concepts.zipf > 0) & (concepts.zipf < rarer_than) & (concepts.corpus < cosine_below)
        hit &= concepts.centrality >= central_above
        return self.rarest_first([w for w, h in zip(concepts.words, hit, strict=True) if h])

    def rarest_first(self, words: list[str]) -> list[str]:
        """The (at most three) words an abstention names: the rarest are the telling ones."""
        return sorted(words, key=self.vocab.frequency)[:3]

    def named(self, concepts: Concepts, words: list[str]) -> list[str]:
        """Of `words`, those the question is about (centrality at least the naming cut), in their order: the
        absent-concept rule may refuse on a typo'd aside, but "These articles don't mention actualy" tells a
        patient nothing, so it is not said."""
        about = {w for w, c in zip(concepts.words, concepts.centrality, strict=True) if c >= self.central_above}
        return [w for w in words if w in about]

    def missing(self, concepts: Concepts) -> list[str]:
        """Concepts the articles never mention; failing those, the ones the best quotes do not speak of. Only words
        the question is about are named (the fitted centrality cuts): "These articles don't mention actually"
        tells a patient nothing."""
        def uncovered(coverage: np.ndarray) -> list[str]:
            return self.named(concepts, [w for w, c in zip(concepts.words, coverage, strict=True) if c < self.covered])

        absent = uncovered(concepts.corpus)
        return self.rarest_first(absent) if absent else self.rarest_first(uncovered(concepts.local))[:2]

    def mentioned(self, concepts: Concepts, words: list[str]) -> bool:
        """Do the articles use, or come near (a word of theirs at least `covered` close), every one of `words` (some
        of `concepts.words`, as `missing` and `named` return them)? Then `missing` fell back to what the best quotes
        lack, and "these articles don't mention" would be false. No words: False."""
        coverage = dict(zip(concepts.words, concepts.corpus, strict=True))
        return bool(words) and all(coverage[w] >= self.covered for w in words)


def answer_features(ce: float, concepts: Concepts, type_miss: float, central_above: float = -1.0) -> np.ndarray:
    """The answerability model's inputs. Whether the best quotes speak of the question's words is read over the
    words it is about (centrality at least `central_above`, fitted): "does it actually work?" is not unanswered
    because the quotes never say "actually"."""
    c, loc = concepts.corpus, concepts.local
    loc = loc[concepts.centrality >= central_above]
    return np.array(
        [ce, float(c.min()) if len(c) else 1.0, float(loc.min()) if len(loc) else 1.0,
         float(loc.mean()) if len(loc) else 1.0, type_miss, float(len(c))], np.float32
    )
