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


def test_one_callers_bad_text_fails_only_that_caller():
    """A text the model cannot encode (seen: a lone surrogate) must not fail the questions batched with it."""
    import threading

    release = threading.Event()

    class Picky:
        def encode(self, texts):
            release.wait(5)  # hold the first call so the others queue up into one batch
            if "bad" in texts:
                raise ValueError("cannot encode")
            return np.ones((len(texts), 3), np.float32)

    batching = BatchingEncoder(Picky())
    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(batching.encode, [t]) for t in ["first", "good", "bad", "also good"]]
        release.set()
        outcomes = []
        for f in futures:
            try:
                outcomes.append(f.result(10).shape)
            except ValueError:
                outcomes.append("error")
    assert outcomes == [(1, 3), (1, 3), "error", (1, 3)]
