"""What an update can reuse from the live build: its ids, corpus hash, and vectors by content hash.

Vectors depend only on an article's cleaned text, metadata, chunking and model (all in its
hash), so they stay valid across index format versions and are carried over, never recomputed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index import store
from index.encoders import MODEL_NAME
from index.errors import BotError
from index.reader import open_index


@dataclass
class Previous:
    """What the live build offers an update: its ids, corpus hash and vectors by document hash."""

    ids: set[str] = field(default_factory=set)
    corpus_hash: str = ""
    vectors: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)


def previous_build(index_dir: Path) -> Previous:
    """Read the live build, verified; an absent or damaged one counts as none (full build)."""
    try:
        old = open_index(index_dir, model=MODEL_NAME, with_encoder=False, any_format=True)
    except BotError:
        return Previous()
    chunk_vectors = old.dense.reconstruct_n(0, old.dense.ntotal)
    sentence_vectors = np.asarray(old.sentence_vectors, dtype=np.float32)
    n = len(old.documents)
    # rows of each article are contiguous, in document order
    c_bounds = np.searchsorted(old.chunks[:, 0], np.arange(n + 1))
    s_bounds = np.searchsorted(old.sentences[:, 0], np.arange(n + 1))
    vectors = {
        doc.hash: (chunk_vectors[c_bounds[d] : c_bounds[d + 1]], sentence_vectors[s_bounds[d] : s_bounds[d + 1]])
        for d, doc in enumerate(old.documents)
    }
    same_format = old.manifest.get("format_version") == store.FORMAT_VERSION
    return Previous({d.id for d in old.documents}, old.manifest["corpus_hash"] if same_format else "", vectors)
