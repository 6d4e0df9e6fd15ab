"""Weigh the evidence about each candidate window with weights fitted on data (`python -m bot.fit`).

Two logistic regressions, applied in turn: the first ranks every candidate on cheap evidence and keeps the
`rerank_top` best; the cross-encoder reads those, and the second regression, which also sees its score,
gives each a probability-like relevance in [0, 1]. Nothing here is hand-set but the candidate chunks (a setting
of the fit): the weights, the cut and the
abstention threshold all come from `bot/data/ranker.json`, written by the fit with the data it used and its
held-out figures.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from bot.adapter import QueryAdapter
from bot.features import FEATURES, Windows
from bot.route import Routes
from index.reader import Index
from index.rerank import Reranker

RANKER_FILE = Path(__file__).resolve().parent / "data" / "ranker.json"
RERANK_FEATURES = ["ce", "ce_gap"]


@dataclass(frozen=True)
class Linear:
    features: list[str]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    @classmethod
    def from_dict(cls, d: dict) -> Linear:
        return cls(d["features"], *(np.asarray(d[k], np.float32) for k in ("mean", "scale", "coef")), d["intercept"])

    def logit(self, x: np.ndarray, names: list[str]) -> np.ndarray:
        """`x`'s columns are `names`; only this model's features (a fitted subset) are read."""
        cols = [names.index(f) for f in self.features]
        return ((x[:, cols] - self.mean) / self.scale) @ self.coef + self.intercept


@dataclass(frozen=True)
class Ranker:
    first: Linear
    second: Linear
    rerank_top: int
    min_score: float  # below this relevance the best window is not an answer
    # answerability: {"model": Linear, "threshold", "salient_zipf", "covered", "absent", "ce_floor"}
    answer: dict | None = None
    chunks: int = 10  # candidate chunks (by RRF) whose windows the first stage scores (`bot.fit --chunks`, not fitted)
    adapter: QueryAdapter | None = None  # moves the question's vector first (`bot.adapter`): the bundled ranker's
    bundled: Ranker | None = None  # weights fitted on the bundled articles alone, with their query adapter
    routes: Routes | None = None  # ... and where their fit questions nearest a message point (`bot.route`)

    def for_index(self, manifest: dict) -> Ranker:
        """The bundled articles' own ranker for the index they were fitted on; this one for any other folder."""
        special = self.bundled
        if special is None or special.adapter is None or not special.adapter.applies_to(manifest):
            return self
        return self if special.routes is not None and not special.routes.applies_to(manifest) else special

    @classmethod
    def load(cls, path: Path = RANKER_FILE, ranking_only: bool = False) -> Ranker:
        """The fitted file; `ranking_only`: its two ranking stages alone, without answerability (what
        `python -m bot.fit --answer-only` refits around, whatever format the old answerability entries have)."""
        d = json.loads(Path(path).read_text(encoding="utf-8"))
        if ranking_only:
            d = {**d, "answer": None}
        answer = d.get("answer")
        if answer is not None:
            from bot.answerable import ANSWER_FEATURES

            if not set(answer["model"]["features"]) <= set(ANSWER_FEATURES):
                raise ValueError(f"{path}: answerability fitted on features this version lacks; refit")
            answer = {**answer, "model": Linear.from_dict(answer["model"])}
        chunks = int(d.get("candidate_chunks", 10))
        bundled = d.get("bundled")
        if bundled is not None:
            adapter = QueryAdapter.load(bundled["adapter"], Path(path).parent)
            own = answer
            if answer is not None and bundled.get("asked"):  # its own answerability, reading the neighbours' vote
                from bot.asked import load_asked

                own = {**answer, "asked": load_asked(bundled["asked"], Path(path).parent)}
            routes = Routes.load(bundled["routes"], Path(path).parent) if bundled.get("routes") else None
            bundled = replace(_stages(bundled, path, own, chunks), adapter=adapter, routes=routes)
        return replace(_stages(d, path, answer, chunks), bundled=bundled)


def _stages(d: dict, path: Path, answer: dict | None, chunks: int) -> Ranker:
    first, second = Linear.from_dict(d["first"]), Linear.from_dict(d["second"])
    if not set(first.features) <= set(FEATURES) or not set(second.features) <= set(FEATURES + RERANK_FEATURES):
        raise ValueError(f"{path} was fitted on features this version lacks; refit with `python -m bot.fit`")
    return Ranker(first, second, int(d["rerank_top"]), float(d["min_score"]), answer, chunks)


def passage(index: Index, doc: int, first: int, last: int) -> str:
    """What the cross-encoder reads: the article's title, then the window (the title gives "it" a referent)."""
    _, start, end = index.span(first, last)
    d = index.documents[doc]
    return f"{d.title}. {d.text[start:end]}"


def cross_features(ce: np.ndarray) -> np.ndarray:
    return np.column_stack([ce, ce - ce.max()]) if len(ce) else np.zeros((0, 2), np.float32)


def shortlist(ranker: Ranker, windows: Windows) -> np.ndarray:
    """Indices of the windows the cross-encoder will read, best first by the first-stage model."""
    if not len(windows):
        return np.zeros(0, np.int64)
    order = np.argsort(-ranker.first.logit(windows.x, FEATURES), kind="stable")
    return order[: ranker.rerank_top]


def score(ranker: Ranker, reranker: Reranker, index: Index, question: str, windows: Windows) -> tuple:
    """(indices into `windows`, relevance in [0, 1], cross-encoder logits) of the shortlist, best first."""
    keep = shortlist(ranker, windows)
    if not len(keep):
        return keep, np.zeros(0, np.float32), np.zeros(0, np.float32)
    docs = index.sentences[windows.first[keep], 0]
    texts = [passage(index, int(d), int(windows.first[i]), int(windows.last[i])) for d, i in zip(docs, keep)]  # noqa: B905
    ce = reranker.score(question, texts)
    x = np.hstack([windows.x[keep], cross_features(ce)])
    prob = 1.0 / (1.0 + np.exp(-ranker.second.logit(x, FEATURES + RERANK_FEATURES)))
    order = np.argsort(-prob, kind="stable")
    return keep[order], prob[order].astype(np.float32), ce[order]
