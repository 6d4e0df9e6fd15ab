"""The routes (`bot.route`) for `bot.fit`: which fit questions point where, each fit message routed out of set.

The ranker is fitted on the same hair fit questions the routes are made of, so each fit message's route must look
as a new patient's would: it comes only from the other hair sets' questions (each set was written by another
helper: a new writer), never from a near copy of it (`bot.suites.near_copy`; the test sets' near copies are set
aside from the fit, so a test message never meets one). The number of questions that point (`k`) is chosen the
same way: the route alone, out of set, ranking the fit questions' answers highest.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.adapter import gold_sentences
from bot.asked import unit
from bot.route import ROUTES_FILE, Routes, route_scores, save_routes

K_GRID = (3, 5, 7, 10)


@dataclass
class RouteFit:
    vectors: np.ndarray  # (questions, dim) unit: the answerable fit questions with an answer in the articles
    gold: np.ndarray  # (questions, sentences) bool
    sets: np.ndarray  # the hair fit set each came from
    bags: list[set[str]]
    k: int
    encode: object  # message -> notice-encoder vector (cached)
    hit3: dict[int, float]

    def for_message(self, message: str, suite: str) -> np.ndarray:
        """The message's route from the other sets' questions, its near copies aside."""
        from bot.suites import near_copy, words

        mine = words(message)
        exclude = (self.sets == suite) | np.array([near_copy(mine, [b]) for b in self.bags])
        return route_scores(self.vectors, self.gold, unit(self.encode(message))[None, :], self.k, exclude[None, :])[0]

    def shipped(self, manifest: dict, digest: str) -> Routes:
        """The routes as the bot will load them: located in this build (`manifest`), read by this encoder."""
        return Routes(self.vectors, self.gold, self.k, manifest["corpus_hash"], manifest["format_version"], digest)

    def entry(self, out: Path, manifest: dict, encoder: str, digest: str) -> dict:
        """Write the table beside ranker.json; return ranker.json's `bundled.routes` entry."""
        facts = save_routes(self.vectors, self.gold, out.parent / ROUTES_FILE.name)
        return {**facts, "k": self.k, "corpus_hash": manifest["corpus_hash"],
                "index_format": manifest["format_version"], "encoder": encoder, "encoder_xxh3_128": digest,
                "questions": len(self.vectors),
                "cross_validated": {"route alone, hit@3 leaving one hair set out, by k": self.hit3}}


def fit_routes(index, labelled: list[tuple[dict, object]], encode) -> RouteFit:  # noqa: ANN001
    """`labelled`: (item, suite) pairs of the bundled articles' answerable fit questions; `encode`: message ->
    notice-encoder vector."""
    from bot.suites import words

    first, last = index.windows
    n = len(index.sentences)
    kept = []
    for item, suite in labelled:
        hits = suite.window_hits(item, index, first, last)
        if hits.any():
            kept.append((item["question"], suite.name, gold_sentences(first, last, hits, n)))
    vectors = unit(np.vstack([encode(m) for m, *_ in kept]))
    gold = np.stack([g for *_, g in kept])
    base = RouteFit(vectors, gold, np.array([s for _, s, _ in kept]), [words(m) for m, *_ in kept], 0, encode, {})
    window_gold = np.stack([(g[first] | g[last - 1]) for g in gold])  # a window holding a gold sentence
    for k in K_GRID:
        base.k = k
        routed = np.stack([base.for_message(m, s) for m, s, _ in kept])
        scores = np.maximum(routed[:, first], routed[:, last - 1])
        top = np.argsort(-scores, axis=1, kind="stable")[:, :3]
        base.hit3[k] = round(float(np.mean(np.take_along_axis(window_gold, top, 1).any(1))), 4)
        print(f"  routes: the {k} nearest fit questions alone, hit@3 leaving one hair set out {base.hit3[k]:.3f}",
              flush=True)
    base.k = max(K_GRID, key=lambda k: (base.hit3[k], -k))  # fewer wins a tie
    return base
