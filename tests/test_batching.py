"""Batched encodes give each caller its own vector, the same as encoding alone."""

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from bot.batching import BatchingEncoder


def test_concurrent_callers_get_their_own_vectors(bot):
    questions = [f"question number {i} about hair loss and {w}" for i, w in enumerate(["pills", "stress"] * 20)]
    alone = bot.encoder.encode(questions)
    batching = BatchingEncoder(bot.encoder)
    with ThreadPoolExecutor(16) as pool:
        got = list(pool.map(lambda q: batching.encode([q])[0], questions))
    np.testing.assert_allclose(np.vstack(got), alone, atol=1e-5)


def test_errors_reach_the_caller():
    class Broken:
        def encode(self, texts):
            raise RuntimeError("model gone")

    batching = BatchingEncoder(Broken())
    try:
        batching.encode(["hello"])
    except RuntimeError as exc:
        assert "model gone" in str(exc)
    else:
        raise AssertionError("error was swallowed")
