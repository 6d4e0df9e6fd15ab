"""A query adapter for the bundled articles: one matrix, fitted on their `fit` questions, that moves a question's
vector towards the sentences such questions are answered by.

Why: MiniLM places "Will my hair grow back if I stop the pills?" near sentences about pills and hair in general;
the fit questions show which of these 116 sentences patients' questions are actually answered by, and a linear
map of the question vector (q -> Wq, W kept near the identity) learns that. Measured when there were four hair fit
sets (each written by another helper): fitted on three, plain cosine hit@3 on the fourth went .654 -> .894; fitted
on another corpus it does not help (the hair sets .654 -> .625 when fitted on the COVID and MedQuAD questions), so it is
applied only to the corpus it was fitted on (the index's `corpus_hash`) with the encoder it was fitted with, and
with ranking weights of its own (ranker.json's `bundled`); any other folder gets plain vectors.
Applying it is one 384x384 product per question; fitting needs torch (`python -m bot.fit`).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ADAPTER_FILE = Path(__file__).resolve().parent / "data" / "query-adapter.npy"
SHRINK = 1e-2  # weight of ||W - I||^2 (leave-one-set-out plain hit@3: 1.0 .726, 0.1 .865, 0.01 .894)
EPOCHS, RATE, TEMPERATURE = 60, 1e-3, 20.0  # full-batch Adam; a softmax over every sentence of the corpus


@dataclass(frozen=True)
class QueryAdapter:
    matrix: np.ndarray  # (dim, dim) float32
    corpus_hash: str  # the index it was fitted on (its manifest's `corpus_hash`)
    encoder: str  # the checksum of the query encoder it was fitted with

    @classmethod
    def load(cls, meta: dict, folder: Path = ADAPTER_FILE.parent) -> QueryAdapter:
        """From ranker.json's `adapter` entry; refuses a matrix file whose checksum is not the one recorded."""
        data = read_checked(folder, meta, "query adapter")
        return cls(np.load(io.BytesIO(data)).astype(np.float32), meta["corpus_hash"], meta["encoder"])

    def applies_to(self, manifest: dict) -> bool:
        """Only the corpus and encoder it was fitted on: elsewhere it is a corpus prior that does not hold."""
        encoder = manifest.get("files", {}).get("encoder.onnx", {}).get("xxh3_128")
        return manifest.get("corpus_hash") == self.corpus_hash and encoder == self.encoder

    def __call__(self, qvec: np.ndarray) -> np.ndarray:
        v = self.matrix @ np.asarray(qvec, dtype=np.float32)
        return (v / (np.linalg.norm(v) + 1e-12)).astype(np.float32)


def read_checked(folder: Path, meta: dict, what: str) -> bytes:
    """A fitted file ranker.json names (`meta`: "file", "sha256"), refused unless it is the one the fit wrote."""
    path = folder / meta["file"]
    if not path.is_file():
        raise ValueError(f"{path}: the {what} named by the ranker is missing; refit: python -m bot.fit")
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != meta["sha256"]:
        raise ValueError(f"{path} is not the {what} the ranker was fitted with; refit: python -m bot.fit")
    return data


def fit_matrix(sentences: np.ndarray, questions: np.ndarray, gold: np.ndarray) -> np.ndarray:
    """W minimising the softmax loss of each question's gold sentences among all `sentences` (unit vectors),
    plus SHRINK * ||W - I||^2. `gold` is (questions, sentences) boolean, each row with at least one True."""
    import torch

    torch.manual_seed(0)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a fixed summation order: the same matrix to the bit on any machine and load
    try:
        return _fit(torch, sentences, questions, gold)
    finally:
        torch.set_num_threads(threads)


def _fit(torch, sentences: np.ndarray, questions: np.ndarray, gold: np.ndarray) -> np.ndarray:  # noqa: ANN001
    s, q, g = (torch.tensor(np.asarray(a)) for a in (sentences, questions, gold))
    eye = torch.eye(s.shape[1])
    w = eye.clone().requires_grad_(True)
    opt = torch.optim.Adam([w], lr=RATE)
    for _ in range(EPOCHS):
        opt.zero_grad()
        logits = TEMPERATURE * torch.nn.functional.normalize(q @ w.T, dim=1) @ s.T
        loss = (logits.logsumexp(1) - logits.masked_fill(~g, -1e9).logsumexp(1)).mean()
        (loss + SHRINK * ((w - eye) ** 2).sum()).backward()
        opt.step()
    return w.detach().numpy().astype(np.float32)


def gold_sentences(first: np.ndarray, last: np.ndarray, hits: np.ndarray, sentences: int) -> np.ndarray:
    """The sentences a question's hitting windows consist of: its one-sentence hits, else every sentence of its
    two-sentence hits (the answer then spans both)."""
    mask = np.zeros(sentences, bool)
    single = hits & (last - first == 1)
    mask[first[single]] = True
    if not mask.any():
        for i in np.flatnonzero(hits):
            mask[first[i]:last[i]] = True
    return mask
