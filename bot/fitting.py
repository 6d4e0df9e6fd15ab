"""Tools for `bot.fit`: grouped cross-validation, feature pruning, and caches for the slow model calls.

Kept apart from the fit script so each piece is small and testable; nothing here runs at answer time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np


def fit_linear(x: np.ndarray, y: np.ndarray, balanced: bool = False) -> dict:
    """Standardised logistic regression; returns what `bot.ranker.Linear` needs. `balanced` weighs the rarer
    class up (few near misses against many answerable questions)."""
    from sklearn.linear_model import LogisticRegression

    mean, scale = x.mean(0), x.std(0) + 1e-6
    weights = "balanced" if balanced else None
    model = LogisticRegression(C=1.0, max_iter=5000, class_weight=weights).fit((x - mean) / scale, y)
    return {"mean": mean.tolist(), "scale": scale.tolist(), "coef": model.coef_[0].tolist(),
            "intercept": float(model.intercept_[0])}


def _apply(m: dict, x: np.ndarray) -> np.ndarray:
    return ((x - np.array(m["mean"])) / np.array(m["scale"])) @ np.array(m["coef"]) + m["intercept"]


def cv_predict(
    xs: list[np.ndarray], ys: list[np.ndarray], cols: list[int], folds: int = 5, rows: bool = False,
    balanced: bool = False,
) -> list[np.ndarray]:
    """Out-of-fold logits. Folds are whole groups (search texts), or single rows when `rows` (one group)."""
    if rows:
        x, y = xs[0][:, cols], ys[0]
        fold = np.arange(len(y)) % folds
        out = np.zeros(len(y))
        for f in range(folds):
            out[fold == f] = _apply(fit_linear(x[fold != f], y[fold != f], balanced), x[fold == f])
        return [out]
    fold = np.arange(len(xs)) % folds
    out: list[np.ndarray] = [np.zeros(0)] * len(xs)
    for f in range(folds):
        train = [i for i in range(len(xs)) if fold[i] != f]
        m = fit_linear(np.vstack([xs[i][:, cols] for i in train]), np.concatenate([ys[i] for i in train]))
        for i in np.flatnonzero(fold == f):
            out[i] = _apply(m, xs[i][:, cols])
    return out


def hit_at(scores: Sequence[np.ndarray], ys: Sequence[np.ndarray], k: int) -> list[bool]:
    """Per group: is a hitting window among the `k` best scored?"""
    return [bool(len(s) and y[np.argsort(-s, kind="stable")[:k]].any()) for s, y in zip(scores, ys, strict=True)]


def prune(
    xs: list[np.ndarray], ys: list[np.ndarray], names: list[str], metric: Callable, label: str, tie: float = 0.003
) -> list[int]:
    """Backward elimination: drop, one at a time, the feature whose removal costs least, while the
    cross-validated metric stays within `tie` of the best seen. Prints each feature's standing."""
    cols = list(range(len(names)))
    score = lambda c: float(np.mean(metric(cv_predict(xs, ys, c), ys)))  # noqa: E731
    best = current = score(cols)
    print(f"{label}: all {len(cols)} features {current:.3f}", flush=True)
    while len(cols) > 1:
        trials = {c: score([d for d in cols if d != c]) for c in cols}
        drop = max(trials, key=lambda c: (trials[c], -c))
        if trials[drop] < best - tie:
            break
        cols.remove(drop)
        current = trials[drop]
        best = max(best, current)
        print(f"  drop {names[drop]:<11} -> {current:.3f}", flush=True)
    print(f"  kept: {', '.join(names[c] for c in cols)}", flush=True)
    return cols


class CachedReranker:
    """The cross-encoder, remembering (question, passage) scores across fit runs."""

    def __init__(self, inner, cache: dict) -> None:  # noqa: ANN001
        self.inner, self.cache = inner, cache
        self.model_dir = inner.model_dir

    def score(self, question: str, passages: Sequence[str]) -> np.ndarray:
        todo = [p for p in dict.fromkeys(passages) if (question, p) not in self.cache]
        if todo:
            scores = self.inner.score(question, todo)
            self.cache.update(((question, p), float(s)) for p, s in zip(todo, scores, strict=True))
        return np.array([self.cache[(question, p)] for p in passages], np.float32)


class CachedEncoder:
    """The query encoder, remembering vectors (keyed per index: each index carries its own encoder)."""

    def __init__(self, inner, cache: dict, key: str) -> None:  # noqa: ANN001
        self.inner, self.cache, self.key = inner, cache, key

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        todo = [t for t in dict.fromkeys(texts) if (self.key, t) not in self.cache]
        if todo:
            self.cache.update(((self.key, t), v) for t, v in zip(todo, self.inner.encode(todo), strict=True))
        return np.vstack([self.cache[(self.key, t)] for t in texts]) if texts else np.zeros((0, 384), np.float32)
