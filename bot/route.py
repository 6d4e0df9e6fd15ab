"""Where the bundled articles answer questions like this one: the fit questions nearest in meaning point.

Why: the query adapter (`bot.adapter`) moves a question's vector towards the sentences such questions are answered
by, one straight map for every question. But the articles are fixed and their readers ask the same things in many
words: "could my sister catch it from me?" is answered where the fit questions about contagion were. So the
message's bge-small-en-v1.5 vector (the one the notice model and the neighbours' vote already read: no extra model
call, but for a follow-up, routed by its search text) is compared with those of the hair fit sets' answerable
questions, and each sentence gets the similarity-weighted share of the `k` nearest whose answer it holds.
`bot.features` turns that into the `route` feature of each candidate window (and adds the chunks it points at to
the candidates); the fitted ranker decides how much it counts, and `bot.fit` keeps it only if it earns its place
in cross-validation.

A prototype at stop 36, leaving one hair fit set out at a time (near copies never pointing): the route alone put
the answer in the top 3 for 0.893 of the fit questions; added to the adapted cosine over windows, the hair test
sets' 77 answerable questions went 0.870 -> 0.896-0.909 (k 3 to 10), the test figure read once to decide whether
to build it, the weights left to the fit. Like the adapter it is what patients ask of *these* articles: it applies
only to the index it was fitted on (its `corpus_hash`, format and sentence count) and to the encoder whose
vectors it holds.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.asked import nearest, unit

ROUTES_FILE = Path(__file__).resolve().parent / "data" / "routes.npy"


def route_scores(
    vectors: np.ndarray, gold: np.ndarray, queries: np.ndarray, k: int, exclude: np.ndarray | None = None
) -> np.ndarray:
    """(queries x sentences): per query (unit rows), the similarity-weighted share of its `k` most similar
    `vectors` whose answer (`gold`, vectors x sentences, bool) holds each sentence. `exclude` (queries x vectors)
    keeps a vector from pointing (the fit: the same writer's questions and near copies)."""
    rows, weights = nearest(vectors, queries, k, exclude)
    total = np.maximum(weights.sum(1, keepdims=True), 1e-9)
    return np.einsum("qk,qks->qs", weights, gold[rows].astype(np.float32)) / total


@dataclass(frozen=True)
class Routes:
    """The answerable fit questions' vectors and the sentences that answer each; `scores` points a new message."""

    vectors: np.ndarray  # (questions, dim) unit vectors
    gold: np.ndarray  # (questions, sentences) bool
    k: int
    corpus_hash: str
    index_format: int
    encoder_digest: str  # xxh3_128 of the notice encoder file whose vectors they are

    @classmethod
    def load(cls, meta: dict, folder: Path = ROUTES_FILE.parent) -> Routes:
        """From ranker.json's `bundled.routes` entry; refuses a file whose checksum is not the one recorded."""
        from bot.adapter import read_checked

        table = np.load(io.BytesIO(read_checked(folder, meta, "routes")))
        dim = int(meta["dim"])
        if table.dtype != np.uint8 or table.ndim != 2:
            raise ValueError(f"{folder / meta['file']}: not a routes table; refit with `python -m bot.fit`")
        vectors = np.ascontiguousarray(table[:, : dim * 2]).view(np.float16).astype(np.float32)
        gold = np.unpackbits(table[:, dim * 2 :], axis=1, count=int(meta["sentences"])).astype(bool)
        return cls(vectors, gold, int(meta["k"]), meta["corpus_hash"], int(meta["index_format"]),
                   meta["encoder_xxh3_128"])

    def applies_to(self, manifest: dict) -> bool:
        """Only the index the answers were located in: the same articles, format and sentences."""
        return (manifest.get("corpus_hash") == self.corpus_hash and manifest.get("format_version") == self.index_format
                and manifest.get("sentences") == self.gold.shape[1])

    def scores(self, vector: np.ndarray) -> np.ndarray:
        """Per sentence of the index, how much the fit questions nearest this message point at it (0 to 1)."""
        return route_scores(self.vectors, self.gold, unit(vector)[None, :], self.k)[0]


def save_routes(vectors: np.ndarray, gold: np.ndarray, path: Path) -> dict:
    """Write float16 unit vectors and packed gold bits as one uint8 table; returns the entry's file facts."""
    halves = unit(vectors).astype(np.float16).view(np.uint8)
    table = np.hstack([halves, np.packbits(gold.astype(bool), axis=1)])
    buffer = io.BytesIO()
    np.save(buffer, table)
    path.write_bytes(buffer.getvalue())
    return {"file": path.name, "sha256": hashlib.sha256(buffer.getvalue()).hexdigest(), "dim": int(vectors.shape[1]),
            "sentences": int(gold.shape[1])}
