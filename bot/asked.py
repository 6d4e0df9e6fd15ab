"""What patients ask of the bundled articles that they do not answer: a classifier over the message's meaning.

Why: the answerability evidence (`bot.answerable`) reads one question against the articles: how sure the
cross-encoder is of the best window, whether the question's rare words are theirs. A near miss ("Is alopecia
contagious?", "How much does a transplant cost?") shares the articles' topic and words, so that evidence cannot
tell it from a question they answer. But the articles are fixed, and the questions their readers bring that they
leave open fall in recognisable places (cost, pregnancy, children, side effects, other treatments): a logistic
regression over the message's bge-small-en-v1.5 vector (the vector the notice model already reads, so it costs
nothing at answer time), fitted on the hair fit sets' answerable questions against their near misses and
off-topic ones, learns those places. Its logit is one more input of the bundled articles' own answerability model.

Leave-one-writer-out on the ten hair fit sets (each written by another helper), at 5% of their answerable
questions refused: 45.5% -> 77.6% of the 389 they do not answer refused (ranker.json's `bundled.asked`). It is what
patients ask of *these* five articles, so like the query adapter (`bot.adapter`) it applies only to the corpus and
encoder it was fitted on; any other folder keeps the general answerability model. Fitted by `python -m bot.fit`
(`bot.fit_asked`).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.answerable import ANSWER_FEATURES

ASKED_FILE = Path(__file__).resolve().parent / "data" / "asked-model.npy"
ASKED_FEATURES = [*ANSWER_FEATURES, "asked"]  # the bundled articles' answerability model reads the logit last


@dataclass(frozen=True)
class AskedModel:
    """A linear score of a message vector: higher reads more like a question these articles answer."""

    coef: np.ndarray  # (dim,), the standardisation folded in
    intercept: float
    encoder_digest: str  # xxh3_128 of the encoder file whose vectors it reads (the notice encoder's)

    @classmethod
    def load(cls, meta: dict, folder: Path = ASKED_FILE.parent) -> AskedModel:
        """From ranker.json's `bundled.asked` entry; refuses a weights file whose checksum is not the one recorded."""
        from bot.adapter import read_checked

        weights = np.load(io.BytesIO(read_checked(folder, meta, "question classifier"))).astype(np.float32)
        return cls(weights[:-1], float(weights[-1]), meta["encoder_xxh3_128"])

    def logit(self, vector: np.ndarray) -> float:
        return float(np.asarray(vector, np.float32) @ self.coef + self.intercept)


def save_weights(coef: np.ndarray, intercept: float, path: Path) -> str:
    """Write the weights (coefficients, then the intercept) as float32; returns their sha256."""
    buffer = io.BytesIO()
    np.save(buffer, np.append(np.asarray(coef, np.float32), np.float32(intercept)))
    path.write_bytes(buffer.getvalue())
    return hashlib.sha256(buffer.getvalue()).hexdigest()


def load_asked(meta: dict, folder: Path) -> dict:
    """ranker.json's `bundled.asked` entry, ready for `bot.decide.decide`: the classifier, the answerability model
    that reads its logit (`bot.ranker.Linear`), its threshold and its own absent-concept rule."""
    from bot.ranker import Linear

    if not set(meta["model"]["features"]) <= set(ASKED_FEATURES):
        raise ValueError(f"{folder}: the bundled answerability was fitted on features this version lacks; refit")
    return {"classifier": AskedModel.load(meta, folder), "model": Linear.from_dict(meta["model"]),
            "threshold": float(meta["threshold"]), "absent": meta.get("absent")}
