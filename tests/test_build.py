"""Building and updating an index: incremental equals full, kills and races lose nothing."""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import time

import numpy as np
import pytest
from filelock import FileLock

from bot.engine import Bot
from bot.settings import DEFAULT_ARTICLES, Settings
from index.build import build_index
from index.encoders import bundled_model_path
from index.reader import open_index
from tests.conftest import run_bot
from tests.serving import bot_command

MODEL = "sentence-transformers/all-MiniLM-L6-v2"
QUESTIONS = [
    "Will my hair grow back if I stop the pills?",
    "what causes alopecia areata",
    "is gene therapy safe",
    "what is kerastem",
    "does stress make hair loss worse",
    "how do I bake bread",
]


def _answers(index_dir):
    bot = Bot.load(Settings(index_dir=index_dir))
    return [[(q.source.id, q.start, q.end, q.text) for q in bot.ask(x).quotes] for x in QUESTIONS]


def _vectors(index_dir):
    idx = open_index(index_dir, model=MODEL, with_encoder=False)
    return idx.dense.reconstruct_n(0, idx.dense.ntotal), np.asarray(idx.sentence_vectors), idx


def test_incremental_update_equals_a_full_rebuild(tmp_path, index_dir):
    articles = tmp_path / "articles"
    shutil.copytree(DEFAULT_ARTICLES, articles)
    incremental = tmp_path / "incremental"
    shutil.copytree(index_dir, incremental, ignore=shutil.ignore_patterns(".lock"))

    changed = articles / "kerastem-stem-cell-therapy-trial.txt"
    changed.write_text(changed.read_text().replace("Approximately 70 patients", "Approximately 80 patients"))
    (articles / "gene-therapy-for-hair-loss-belgravia.txt").unlink()
    (articles / "new-leaflet.md").write_text(
        "---\ntitle: Biotin and hair\n---\nThere is little evidence that biotin supplements help hair grow.\n"
    )
    report = build_index(articles, incremental, bundled_model_path())
    assert (report.unchanged, report.updated, report.indexed, report.removed) == (3, 1, 1, 1)
    assert report.embedded_texts < report.chunks + report.sentences  # only the changed articles were embedded

    full = tmp_path / "full"
    build_index(articles, full, bundled_model_path(), rebuild=True)
    chunks_a, sentences_a, a = _vectors(incremental)
    chunks_b, sentences_b, b = _vectors(full)
    assert [d.id for d in a.documents] == [d.id for d in b.documents]
    assert [d.text for d in a.documents] == [d.text for d in b.documents]
    assert np.array_equal(a.sentences, b.sentences) and np.array_equal(a.chunks, b.chunks)
    np.testing.assert_allclose(chunks_a, chunks_b, atol=1e-5)
    np.testing.assert_allclose(sentences_a, sentences_b, atol=1e-5)
    assert _answers(incremental) == _answers(full)
    assert "80 patients" in Bot.load(Settings(index_dir=full)).source("kerastem-stem-cell-therapy-trial").text
    assert "biotin" in Bot.load(Settings(index_dir=full)).ask("does biotin help my hair grow").quotes[0].text


def test_reindex_with_nothing_changed_is_fast_and_writes_nothing(index_copy):
    from index.store import current_build

    before = current_build(index_copy)
    started = time.perf_counter()
    report = build_index(DEFAULT_ARTICLES, index_copy, bundled_model_path())
    assert not report.written and report.unchanged == 5 and report.embedded_texts == 0
    assert current_build(index_copy) == before
    assert time.perf_counter() - started < 5


def test_a_second_build_refuses_while_one_holds_the_lock(index_copy):
    with FileLock(str(index_copy / ".lock")):
        result = run_bot("index", "--index", str(index_copy))
    assert result.returncode == 4 and b"another `bot index` is building" in result.stderr
    assert Bot.load(Settings(index_dir=index_copy)).ask("what is kerastem").answered


@pytest.mark.slow
def test_killed_builds_leave_the_previous_index_answering(index_copy):
    rng = random.Random(20261122)
    expected = _answers(index_copy)
    for _ in range(3):
        proc = subprocess.Popen(
            [*bot_command(), "index", "--rebuild", "--index", str(index_copy)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.3, 9.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert _answers(index_copy) == expected
    # the leftovers of killed runs are cleared by the next successful build
    build_index(DEFAULT_ARTICLES, index_copy, bundled_model_path(), rebuild=True)
    assert len(list(index_copy.glob("b-*"))) == 1
    assert _answers(index_copy) == expected


def test_an_older_format_index_is_upgraded_without_re_embedding(index_copy):
    """Format 1 had (doc, start, end) sentence rows only; its vectors are still valid and get reused."""
    import json

    from index import store

    build = store.current_build(index_copy)
    spans = np.load(build / "spans.npz")
    np.savez(build / "spans.npz", sentences=spans["sentences"][:, :3], chunks=spans["chunks"])
    manifest = json.loads((build / "manifest.json").read_text())
    manifest["format_version"] = 1
    manifest["files"]["spans.npz"] = {
        "bytes": (build / "spans.npz").stat().st_size,
        "xxh3_128": store.file_digest(build / "spans.npz"),
    }
    (build / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(Exception, match="format 1 is not the supported"):
        open_index(index_copy, model=MODEL)
    report = build_index(DEFAULT_ARTICLES, index_copy, bundled_model_path())
    assert report.written and report.embedded_texts == 0 and report.unchanged == 5
    assert open_index(index_copy, model=MODEL).sentences.shape[1] == 8
    assert Bot.load(Settings(index_dir=index_copy)).ask("what is kerastem").answered
