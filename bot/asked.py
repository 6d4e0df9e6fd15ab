"""What patients ask of the bundled articles that they do not answer: the fit messages nearest in meaning vote.

Why: the answerability evidence (`bot.answerable`) reads one question against the articles: how sure the
cross-encoder is of the best window, whether the question's rare words are theirs. A near miss ("Is alopecia
contagious?", "How much does a transplant cost?") shares the articles' topic and words, so that evidence cannot
tell it from a question they answer. But the articles are fixed, and the questions their readers bring that they
leave open fall in recognisable places (cost, pregnancy, the NHS, smoking, side effects, other treatments), each
a small cluster of meaning beside questions they do answer ("is it sold in Spain?" against "is it on the NHS?").
So the message's bge-small-en-v1.5 vector (the vector the notice model already reads, so it costs nothing at
answer time) is compared with those of the hair fit sets' messages, and its `k` nearest vote: the
similarity-weighted share of them that the articles answer is one more input of the bundled articles' own
answerability model.

A vote of neighbours, not one straight cut through the space: leave-one-writer-out on stop 35's twelve hair fit sets
(each written by another helper; a held-out message's near copies in the other sets left out of its vote, as the
test sets' are left out of the fit), at 5% of their answerable questions refused, the vote alone refused 0.831 of
the questions they do not answer where a logistic regression over the same vectors (the stop 27-34 classifier,
in git history at c91aa57) refused 0.689 (a script at stop 35, same data, same session); stacked with the general
evidence, as `bot.fit` fits them, 0.782 (the regression, without the near-copy rule) against 0.867 (with the
fourteen sets of stop 36, 0.872 at k = 3). It is what
patients ask of *these* five articles, so like the query adapter (`bot.adapter`) it applies only to the corpus and
encoder it was fitted on; any other folder keeps the general answerability model.
Fitted by `python -m bot.fit` (`bot.fit_asked`).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.answerable import ANSWER_FEATURES

ASKED_FILE = Path(__file__).resolve().parent / "data" / "asked-model.npy"
ASKED_FEATURES = [*ANSWER_FEATURES, "asked"]  # the bundled articles' answerability model reads the vote last


def unit(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1, rounded through float16 as the shipped file holds them (the fit votes with the
    same numbers the bot will)."""
    v = np.asarray(vectors, np.float32)
    v = v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-9)
    return v.astype(np.float16).astype(np.float32)


def nearest(
    vectors: np.ndarray, queries: np.ndarray, k: int, exclude: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Per query (unit rows), its `k` most similar `vectors` (rows) and their weights: the cosine, or 0 when not
    positive or excluded (`exclude`, queries x vectors: the fit's other writers only). The vote's and the routes'."""
    sims = queries @ vectors.T
    if exclude is not None:
        sims = np.where(exclude, -np.inf, sims)
    rows = np.argsort(-sims, axis=1, kind="stable")[:, :k]
    return rows, np.clip(np.take_along_axis(sims, rows, 1), 0.0, None)


def neighbour_vote(
    vectors: np.ndarray, answerable: np.ndarray, queries: np.ndarray, k: int, exclude: np.ndarray | None = None
) -> np.ndarray:
    """Per query (unit rows), the similarity-weighted share of its `k` most similar `vectors` whose message the
    articles answer: 1.0 when every neighbour is answerable. `exclude` (queries x vectors) removes votes."""
    nearest_rows, weights = nearest(vectors, queries, k, exclude)
    total = weights.sum(1)
    # no neighbour with a positive similarity (never seen with bge-small: the least similar pair is 0.16): the
    # messages' own share, not the surest "not answerable"
    return np.where(total > 0, (weights * answerable[nearest_rows]).sum(1) / np.maximum(total, 1e-9), answerable.mean())


@dataclass(frozen=True)
class AskedModel:
    """The fit messages' vectors and whether the articles answer each; `score` is a new message's vote."""

    vectors: np.ndarray  # (messages, dim) unit vectors
    answerable: np.ndarray  # (messages,) bool
    k: int
    encoder_digest: str  # xxh3_128 of the encoder file whose vectors they are (the notice encoder's)

    @classmethod
    def load(cls, meta: dict, folder: Path = ASKED_FILE.parent) -> AskedModel:
        """From ranker.json's `bundled.asked` entry; refuses a file whose checksum is not the one recorded."""
        from bot.adapter import read_checked

        table = np.load(io.BytesIO(read_checked(folder, meta, "neighbours' vote"))).astype(np.float32)
        return cls(table[:, :-1], table[:, -1] > 0.5, int(meta["k"]), meta["encoder_xxh3_128"])

    def score(self, vector: np.ndarray) -> float:
        return float(neighbour_vote(self.vectors, self.answerable, unit(vector)[None, :], self.k)[0])


def save_neighbours(vectors: np.ndarray, answerable: np.ndarray, path: Path) -> str:
    """Write the unit vectors with their answerable flag as the last column, float16; returns the sha256."""
    buffer = io.BytesIO()
    np.save(buffer, np.column_stack([unit(vectors), answerable.astype(np.float32)]).astype(np.float16))
    path.write_bytes(buffer.getvalue())
    return hashlib.sha256(buffer.getvalue()).hexdigest()


def load_asked(meta: dict, folder: Path) -> dict:
    """ranker.json's `bundled.asked` entry, ready for `bot.decide.decide`: the vote, the answerability model
    that reads it (`bot.ranker.Linear`), its threshold, its own absent-concept rule and its threshold for
    follow-ups (`bot.fit_follow_ups`; None in a file fitted before it: the one threshold)."""
    from bot.ranker import Linear

    if not set(meta["model"]["features"]) <= set(ASKED_FEATURES) or "k" not in meta:
        raise ValueError(f"{folder}: the bundled answerability was fitted on features this version lacks; refit")
    return {"classifier": AskedModel.load(meta, folder), "model": Linear.from_dict(meta["model"]),
            "threshold": float(meta["threshold"]), "absent": meta.get("absent"), "follow_up": meta.get("follow_up")}
