"""The torch-free ONNX query encoder agrees with sentence-transformers, and light commands stay light."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace

import numpy as np

from bot.engine import Bot
from bot.evaluate import run_suite
from bot.settings import EVAL_SET
from bot.suites import SUITES, load_jsonl


def test_onnx_and_sentence_transformers_embeddings_agree(bot, settings):
    torch_bot = Bot.load(replace(settings, query_encoder="torch"))
    index = bot.index
    texts = [index.documents[d].text[s:e] for d, s, e in index.sentences[:, :3]]
    texts += [q["question"] for q in load_jsonl(EVAL_SET) if "question" in q]
    texts += [index.documents[d].text[index.sentences[a, 1] : index.sentences[b - 1, 2]] for d, a, b in index.chunks]
    texts = texts[:200]
    assert len(texts) == 200
    onnx = bot.encoder.encode(texts)
    reference = torch_bot.encoder.encode(texts)
    cosine = (onnx * reference).sum(axis=1)
    assert cosine.min() >= 0.9999
    # and batching (padding) does not change a vector
    np.testing.assert_allclose(bot.encoder.encode(texts[:1])[0], onnx[0], atol=1e-5)


def test_eval_gives_identical_results_with_either_encoder(bot, settings):
    suite = SUITES["hair-seed"]()
    items = suite.items
    torch_bot = Bot.load(replace(settings, query_encoder="torch", cache_size=0))
    onnx_bot = Bot.load(replace(settings, cache_size=0))
    assert run_suite(onnx_bot, suite, "all").row() == run_suite(torch_bot, suite, "all").row()
    for item in items:
        if "question" in item:
            a, b = onnx_bot.ask(item["question"]), torch_bot.ask(item["question"])
            assert [(q.source.id, q.start, q.end) for q in a.quotes] == [
                (q.source.id, q.start, q.end) for q in b.quotes
            ]


def _imports_after(args: list[str], index_dir) -> set[str]:
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from bot.cli import app\n"
        f"result = CliRunner().invoke(app, {args!r})\n"
        "assert result.exit_code == 0, result.output\n"
        "print(' '.join(m for m in ('torch', 'onnxruntime', 'sentence_transformers', 'transformers') "
        "if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_source_and_help_import_neither_torch_nor_onnxruntime(index_dir):
    assert _imports_after(["--help"], index_dir) == set()
    assert (
        _imports_after(["source", "kerastem-stem-cell-therapy-trial", "--json", "--index", str(index_dir)], index_dir)
        == set()
    )


def test_ask_imports_onnxruntime_but_not_torch(index_dir):
    assert _imports_after(["ask", "what is kerastem", "--index", str(index_dir)], index_dir) == {"onnxruntime"}


def test_cross_encoder_scores_each_pair_on_its_own(bot):
    """A window's score is the same alone, among others, in any order: the fit's cached scores and its fitted cuts
    apply to exactly what the bot computes (an int8 model scored in batches moves with its batch-mates)."""
    ce = bot.reranker
    index = bot.index
    passages = [index.documents[d].text[s:e] for d, s, e in index.sentences[:21, :3]]
    question = "Will my hair grow back if I stop the pills?"
    scores = ce.score(question, passages)
    assert scores.shape == (21,) and np.isfinite(scores).all() and scores.std() > 0.5
    np.testing.assert_array_equal(ce.score(question, passages[::-1])[::-1], scores)
    for n in (1, 5):
        np.testing.assert_array_equal(ce.score(question, passages[:n]), scores[:n])
    alone = np.array([ce.score(question, [p])[0] for p in passages])
    np.testing.assert_array_equal(alone, scores)
    assert ce.score(question, []).shape == (0,)


def test_cross_encoder_sessions_in_parallel_score_as_one(bot):
    """Pairs shared among single-threaded sessions (one per core) get exactly the scores one session gives."""
    from index.rerank import CrossEncoder

    index = bot.index
    passages = [index.documents[d].text[s:e] for d, s, e in index.sentences[:9, :3]]
    question = "Does ruxolitinib make hair grow back?"
    one, three = CrossEncoder(bot.reranker.model_dir, threads=1), CrossEncoder(bot.reranker.model_dir, threads=3)
    assert len(one.sessions) == 1 and len(three.sessions) == 3
    np.testing.assert_array_equal(three.score(question, passages), one.score(question, passages))
    np.testing.assert_array_equal(bot.reranker.score(question, passages), one.score(question, passages))
    np.testing.assert_array_equal(three.score(question, passages[:2]), one.score(question, passages[:2]))  # one idle
