"""Exact below the size threshold, IVF above it, with recall held against exact search."""

import faiss
import numpy as np

from index.dense import make_dense_index


def _clustered(n: int, dim: int = 64, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((n // 20, dim))
    vectors = centres[rng.integers(0, len(centres), n)] + 0.3 * rng.standard_normal((n, dim))
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def test_small_corpora_get_exact_search():
    assert isinstance(make_dense_index(_clustered(500)), faiss.IndexFlatIP)


def test_large_corpora_get_ivf_with_high_recall_and_reconstruct():
    vectors = _clustered(20_000)
    approx = make_dense_index(vectors, approx_min=10_000)
    exact = make_dense_index(vectors)
    assert isinstance(approx, faiss.IndexIVFFlat) and isinstance(exact, faiss.IndexFlatIP)
    queries = vectors[:200] + 0.05 * np.random.default_rng(9).standard_normal((200, 64)).astype(np.float32)
    _, got = approx.search(queries, 10)
    _, want = exact.search(queries, 10)
    recall = np.mean([len(set(g) & set(w)) / 10 for g, w in zip(got, want, strict=True)])
    assert recall >= 0.95
    np.testing.assert_array_equal(approx.reconstruct(123), vectors[123])
