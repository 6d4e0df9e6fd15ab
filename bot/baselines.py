"""Simple same-run baselines for `bot eval --baselines`, scored by the same hit rule as the product.

Every 1-2 sentence window of the whole index (inside one paragraph, never a question) is ranked by:
BM25 (sentence-level, summed over the window), dense (best MiniLM cosine of its sentences), their
reciprocal-rank fusion, and that fusion's top 20 reranked by the cross-encoder. The top 3 non-overlapping
windows are the quotes. If the product does not beat these, its extra machinery has not earned its place.
"""

from __future__ import annotations

import numpy as np

from bot.evaluate import SuiteResult
from bot.features import window_evidence
from bot.ranker import passage
from bot.suites import Suite
from index.reader import DOC

RRF_K = 60
RERANK = 20


def _top3(first: np.ndarray, last: np.ndarray, order: np.ndarray, index) -> list[int]:  # noqa: ANN001
    chosen: list[int] = []
    for i in order:
        if all(not (index.sentences[first[i], DOC] == index.sentences[first[j], DOC]
                    and first[i] < last[j] and first[j] < last[i]) for j in chosen):
            chosen.append(int(i))
        if len(chosen) == 3:
            break
    return chosen


def baseline_rows(bot, suite: Suite, part: str) -> list[dict]:  # noqa: ANN001 - a loaded Bot
    index = bot.index
    first, last = index.windows
    results = {name: SuiteResult(f"  baseline {name}") for name in ("BM25", "dense", "RRF", "RRF+CE")}
    items = [i for i in suite.part(part) if i["kind"] == "answerable"]
    vectors = np.asarray(index.sentence_vectors, dtype=np.float32)
    for item in items:
        q = item["question"]
        qvec = bot.encoder.encode([q])[0]
        cos = vectors @ qvec
        bm = index.sentence_bm25.scores(q)
        dense, lexical = window_evidence(index, cos, np.zeros(len(cos), np.float32) if bm is None else bm)
        rank_d = np.empty(len(first)), np.empty(len(first))
        od, ol = np.argsort(-dense, kind="stable"), np.argsort(-lexical, kind="stable")
        rank_d[0][od], rank_d[1][ol] = np.arange(len(first)), np.arange(len(first))
        rrf = 1 / (RRF_K + 1 + rank_d[0]) + 1 / (RRF_K + 1 + rank_d[1])
        orr = np.argsort(-rrf, kind="stable")
        head = orr[:RERANK]
        texts = [passage(index, int(index.sentences[first[i], DOC]), int(first[i]), int(last[i])) for i in head]
        ce_order = head[np.argsort(-bot.reranker.score(q, texts), kind="stable")]
        for name, order in (("BM25", ol), ("dense", od), ("RRF", orr), ("RRF+CE", ce_order)):
            rank = None
            for r, i in enumerate(_top3(first, last, order, index), start=1):
                if suite.hits_window(item, index, first[i], last[i]):
                    rank = r
                    break
            results[name].ranks.append(rank)
            results[name].answered.append(True)
    return [r.row() for r in results.values()]
