"""Fast unit tests of the answer path on a hand-built index, with a tiny fake encoder and reranker.

The fake encoder hashes word stems into a 64-dimensional bag of words, so similarity means shared words;
the fake reranker counts shared words. That is enough to check the plumbing — hybrid search, candidate
windows and their evidence, selection, the Bot's answer — without loading a model. The real models are
tested end to end elsewhere (test_ask.py, test_eval.py).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from bot import features
from bot.engine import Bot
from bot.features import FEATURES, WindowFusion, candidate_windows
from bot.quotes import Window, select
from bot.ranker import RERANK_FEATURES, Linear, Ranker
from bot.retrieve import hybrid_search
from bot.settings import Settings
from index.build import build_index
from index.reader import QLINK, open_index
from index.vocab import words_of

DIM = 64
ARTICLES = [
    {"id": "drug", "title": "Ruxolitinib trial", "text": (
        "Ruxolitinib is a drug for bone marrow disorders.\n\n"
        "In the trial, twelve patients took 20 mg twice a day. Most of them regrew their hair within five months.\n\n"
        "After treatment stopped, hair loss returned for a third of patients.")},
    {"id": "faq", "title": "Questions and answers", "text": (
        "Is alopecia areata contagious?\n\n"
        "No. You cannot catch it from another person.\n\n"
        "Can stress trigger alopecia?\n\n"
        "Stress may trigger an attack in some people.")},
    {"id": "stem", "title": "Kerastem stem cells", "text": (
        "Kerastem uses fat cells from the patient's own body.\n\n"
        "The therapy is available in Europe but not yet in the United States.")},
]


class FakeEncoder:
    def encode(self, texts):
        out = np.zeros((len(texts), DIM), np.float32)
        for i, t in enumerate(texts):
            for w in words_of(t):
                out[i, int(hashlib.md5(w[:5].encode()).hexdigest(), 16) % DIM] += 1
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


class FakeReranker:
    model_dir = Path("/nonexistent")

    def score(self, question, passages):
        q = set(words_of(question))
        return np.array([len(q & set(words_of(p))) - 2.0 for p in passages], np.float32)


def _linear(names, weights):
    return Linear(names, np.zeros(len(names), np.float32), np.ones(len(names), np.float32),
                  np.array([weights.get(n, 0.0) for n in names], np.float32), 0.0)


RANKER = Ranker(_linear(FEATURES, {"cos_max": 4.0, "bm25": 1.0, "qlink": 2.0}),
                _linear(FEATURES + RERANK_FEATURES, {"cos_max": 3.0, "ce": 1.0, "qlink": 2.0}), 6, 0.05)


@pytest.fixture(scope="module")
def fake_index(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fake")
    path = folder / "articles.jsonl"
    path.write_text("\n".join(json.dumps(a) for a in ARTICLES), encoding="utf-8")
    build_index(path, folder / "index", Path("/unused"), encoder=FakeEncoder())
    return open_index(folder / "index", model="sentence-transformers/all-MiniLM-L6-v2", with_encoder=False)


@pytest.fixture(scope="module")
def fake_bot(fake_index):
    return Bot(fake_index, Settings(index_dir=Path("/unused")), FakeEncoder(), FakeReranker(), RANKER)


def _text(index, w):
    doc = index.documents[int(index.sentences[w.first, 0])]
    return doc.text[int(index.sentences[w.first, 1]) : int(index.sentences[w.last - 1, 2])]


def test_hybrid_search_finds_the_chunk_with_the_words(fake_index):
    q = "Kerastem available Europe"
    found = hybrid_search(fake_index, q, FakeEncoder().encode([q])[0], keep=2)
    assert fake_index.documents[int(fake_index.chunks[found[0].chunk, 0])].id == "stem"


def test_candidate_windows_are_one_or_two_sentences_inside_a_paragraph_and_never_questions(fake_index):
    q = "how many patients took the drug"
    qvec = FakeEncoder().encode([q])[0]
    w = candidate_windows(fake_index, q, qvec, hybrid_search(fake_index, q, qvec, keep=10))
    assert len(w) and w.x.shape == (len(w), len(FEATURES))
    assert set((w.last - w.first).tolist()) <= {1, 2}
    for j in range(len(w)):
        assert not _text(fake_index, Window(0, int(w.first[j]), int(w.last[j]), 0, 0)).endswith("?")
    number = w.x[:, FEATURES.index("type_match")]
    assert number.max() == 1.0  # "how many" finds a window holding a number


def test_win_rrf_is_each_windows_rank_fusion_among_every_window_of_the_index(fake_index):
    q = "how many patients took the drug twice a day"
    qvec = FakeEncoder().encode([q])[0]
    w = candidate_windows(fake_index, q, qvec, hybrid_search(fake_index, q, qvec, keep=10))
    first, last = fake_index.windows
    every = set(zip(first.tolist(), last.tolist(), strict=True))
    assert set(zip(w.first.tolist(), w.last.tolist(), strict=True)) <= every
    cos = np.asarray(fake_index.sentence_vectors, np.float32) @ qvec
    bm = fake_index.sentence_bm25.scores(q)
    second = np.where(last - first == 2, first + 1, first)
    dense, lexical = np.maximum(cos[first], cos[second]), bm[first] + np.where(second > first, bm[second], 0)
    for j in range(len(w)):  # brute force: windows scoring strictly higher, by each retriever
        i = int(np.flatnonzero((first == w.first[j]) & (last == w.last[j]))[0])
        rd, rl = int((dense > dense[i]).sum()), int((lexical > lexical[i]).sum())
        expected = (1 / (61 + rd) + 1 / (61 + rl)) * 61 / 2
        assert w.x[j, FEATURES.index("win_rrf")] == pytest.approx(expected, rel=1e-5)
    assert w.x[:, FEATURES.index("win_rrf")].max() == pytest.approx(1.0)  # "twelve patients took 20 mg twice a day"


@pytest.mark.parametrize("lexical", [True, False, "none matches"])
def test_best_rows_are_the_best_fused_windows_of_the_whole_index_ties_included(lexical):
    """Brute force over 3,000 windows whose scores tie in large groups (BM25 is mostly 0; cosines rounded), so
    the search among each retriever's best m = 2(k + 60) must keep a tie at the cut whole to stay exact."""
    rng = np.random.default_rng(7)
    n = 2_000
    cos = np.round(rng.uniform(-0.2, 0.8, n), 2).astype(np.float32)
    bm = np.where(rng.uniform(size=n) < 0.05, np.round(rng.uniform(0, 9, n)), 0).astype(np.float32)
    bm[:300] = 4.0  # one big tie at a middling lexical score, inside any top-m cut
    if lexical == "none matches":  # no query word in the index: every window ties at 0 but a few
        bm = np.where(np.arange(n) % 500 == 0, 2.0, 0.0).astype(np.float32)
    first = np.concatenate([np.arange(n), np.arange(0, n - 1, 2)])
    last = np.concatenate([np.arange(n) + 1, np.arange(0, n - 1, 2) + 2])
    fusion = WindowFusion(SimpleNamespace(windows=(first, last)), cos, bm if lexical else None)
    every = fusion.standing(fusion.dense, fusion.lexical if lexical else np.zeros(len(first)))
    for k in (1, 5, 20, 50):
        best = np.argsort(-every, kind="stable")[:k]
        expected = set(first[best].tolist()) | set((last[best] - 1).tolist())
        assert set(fusion.best_rows(k).tolist()) == expected, k


def test_the_best_fused_windows_of_the_whole_index_join_the_candidates(fake_index, monkeypatch):
    q = "how many patients took the drug twice a day"
    qvec = FakeEncoder().encode([q])[0]
    fusion = WindowFusion(fake_index, np.asarray(fake_index.sentence_vectors, np.float32) @ qvec,
                          fake_index.sentence_bm25.scores(q))
    first, last = fake_index.windows
    best = int(np.argmax(fusion.standing(fusion.dense, fusion.lexical)))
    monkeypatch.setattr(features, "BM25_SENTENCES", 0)  # no chunk from retrieval or the best sentences:
    monkeypatch.setattr(features, "DENSE_SENTENCES", 0)
    monkeypatch.setattr(features, "FUSED_WINDOWS", 1)  # only the chunk(s) of the best-fused window
    w = candidate_windows(fake_index, q, qvec, [])
    assert (int(first[best]), int(last[best])) in set(zip(w.first.tolist(), w.last.tolist(), strict=True))
    chunks = {int(fake_index.sentence_chunk[r]) for r in (first[best], last[best] - 1)}
    assert {int(fake_index.sentence_chunk[r]) for r in w.first.tolist()} <= chunks


def test_an_faq_answer_links_to_its_question(fake_index):
    s = fake_index.sentences
    rows = [r for r in range(len(s)) if "cannot catch" in _text(fake_index, Window(0, r, r + 1, 0, 0))]
    assert rows and s[rows[0], QLINK] >= 0
    link = int(s[rows[0], QLINK])
    assert _text(fake_index, Window(0, link, link + 1, 0, 0)).endswith("contagious?")


def test_select_skips_overlaps_and_low_scores(fake_index):
    a, b, c = Window(0, 1, 3, 0.9, 1), Window(0, 2, 3, 0.8, 2), Window(2, 9, 10, 0.01, 9)
    assert select(fake_index, [a, b, c], 3, 0.05) == [a]


def test_the_bot_quotes_the_sentence_that_answers_verbatim(fake_bot):
    answer = fake_bot.ask("is alopecia areata contagious, can you catch it")
    assert answer.answered
    top = answer.quotes[0]
    assert top.source.id == "faq" and "cannot catch it" in top.text
    assert fake_bot.source("faq").text[top.start : top.end] == top.text
    assert top.focus_start is not None and top.start <= top.focus_start < top.focus_end <= top.end


def test_neighbours_are_the_stored_sentences_around_a_quote(fake_bot):
    text = fake_bot.source("drug").text
    start = text.index("In the trial")
    end = text.index("five months.") + len("five months.")
    before, after = fake_bot.neighbours("drug", start, end)
    assert text[before[0] : before[1]] == "Ruxolitinib is a drug for bone marrow disorders."
    assert text[after[0] : after[1]].startswith("After treatment stopped")


def test_the_query_adapter_learns_which_sentence_such_questions_are_answered_by():
    from bot.adapter import QueryAdapter, fit_matrix

    rng = np.random.default_rng(0)
    sentences = rng.normal(size=(12, 16)).astype(np.float32)
    sentences /= np.linalg.norm(sentences, axis=1, keepdims=True)
    # questions that sit nearest sentence 0 but are answered by sentence 5
    questions = sentences[0] + 0.3 * rng.normal(size=(20, 16)).astype(np.float32)
    questions /= np.linalg.norm(questions, axis=1, keepdims=True)
    gold = np.zeros((20, 12), bool)
    gold[:, 5] = True
    w = fit_matrix(sentences, questions, gold)
    new = sentences[0] + 0.3 * rng.normal(size=16).astype(np.float32)  # a question it never saw
    before, after = sentences @ (new / np.linalg.norm(new)), sentences @ QueryAdapter(w, "", "")(new)
    assert (before > before[5]).sum() > (after > after[5]).sum()  # the answer climbs the ranking
    assert (after[5] - after[0]) - (before[5] - before[0]) > 0.2  # ... and nears the sentence that only sounds alike


def test_the_query_adapter_applies_only_to_the_corpus_and_encoder_it_was_fitted_on(fake_bot):
    from bot.adapter import QueryAdapter

    adapter = QueryAdapter(np.eye(4, dtype=np.float32), "corpus", "encoder")
    manifest = {"corpus_hash": "corpus", "files": {"encoder.onnx": {"xxh3_128": "encoder"}}}
    assert adapter.applies_to(manifest)
    assert not adapter.applies_to({**manifest, "corpus_hash": "a user's folder"})
    assert not adapter.applies_to({**manifest, "files": {"encoder.onnx": {"xxh3_128": "another model"}}})
    assert fake_bot.ranker.adapter is None
    assert fake_bot.asked_score(np.zeros(4, np.float32)) is None  # nor the bundled articles' neighbours' vote


def test_the_bundled_articles_get_their_own_ranker_and_a_ranker_refuses_an_adapter_it_was_not_fitted_with(tmp_path):
    from bot.ranker import RANKER_FILE

    shipped = Ranker.load(RANKER_FILE)
    adapter = shipped.bundled.adapter
    own = {"corpus_hash": adapter.corpus_hash, "files": {"encoder.onnx": {"xxh3_128": adapter.encoder}}}
    routes = shipped.bundled.routes
    if routes is not None:  # located in one build of the articles: its format and sentences
        own |= {"format_version": routes.index_format, "sentences": routes.gold.shape[1]}
        assert shipped.for_index({**own, "sentences": routes.gold.shape[1] + 1}) is shipped
    assert shipped.for_index(own) is shipped.bundled
    # the bundled articles' answerability is the general one plus their own model reading the neighbours' vote
    assert {k: v for k, v in shipped.bundled.answer.items() if k != "asked"} == shipped.answer
    assert "asked" in shipped.bundled.answer and "asked" not in shipped.answer
    # ...with the threshold fitted for follow-ups read with their conversation (`bot.fit_follow_ups`), as written
    written = json.loads(RANKER_FILE.read_text(encoding="utf-8"))["bundled"]["asked"]["follow_up"]
    assert shipped.bundled.answer["asked"]["follow_up"] == written and 0 <= written["threshold"] <= 1
    from bot.fit_follow_ups import pick  # the rule chose it from the table written beside it

    counts = written["follow-ups read with history"]
    table = {float(t): row for t, row in written["on_fit_part"].items()}
    assert pick(table, counts["answerable"], counts["near misses"]) == written["threshold"]
    assert shipped.for_index({**own, "corpus_hash": "a user's folder"}) is shipped and shipped.adapter is None

    d = json.loads(RANKER_FILE.read_text(encoding="utf-8"))
    (tmp_path / "ranker.json").write_text(json.dumps(d), encoding="utf-8")
    name, asked = d["bundled"]["adapter"]["file"], d["bundled"]["asked"]["file"]
    if "routes" in d["bundled"]:
        table = d["bundled"]["routes"]["file"]
        (tmp_path / table).write_bytes((RANKER_FILE.parent / table).read_bytes())
    weights = np.load(RANKER_FILE.parent / asked)
    np.save(tmp_path / asked, weights)
    matrix = np.load(RANKER_FILE.parent / name)
    np.save(tmp_path / name, matrix)
    assert Ranker.load(tmp_path / "ranker.json").bundled.adapter is not None
    matrix[0, 0] += 1
    np.save(tmp_path / name, matrix)
    with pytest.raises(ValueError, match="not the query adapter"):
        Ranker.load(tmp_path / "ranker.json")
    (tmp_path / name).unlink()
    with pytest.raises(ValueError, match="is missing"):
        Ranker.load(tmp_path / "ranker.json")
    np.save(tmp_path / name, np.load(RANKER_FILE.parent / name))
    assert "classifier" in Ranker.load(tmp_path / "ranker.json").bundled.answer["asked"]  # checked the same way
    weights[0] += 1
    np.save(tmp_path / asked, weights)
    with pytest.raises(ValueError, match="not the neighbours' vote"):
        Ranker.load(tmp_path / "ranker.json")


def test_gold_sentences_are_single_sentence_hits_else_both_of_a_pair():
    from bot.adapter import gold_sentences

    first, last = np.array([0, 0, 1, 2]), np.array([1, 2, 2, 3])
    assert gold_sentences(first, last, np.array([False, True, True, False]), 3).tolist() == [False, True, False]
    assert gold_sentences(first, last, np.array([False, True, False, False]), 3).tolist() == [True, True, False]


def test_a_route_adds_the_chunk_it_points_at_and_is_each_windows_best_sentence_share(fake_index, monkeypatch):
    q = "how many patients took the drug"
    qvec = FakeEncoder().encode([q])[0]
    rows = [r for r in range(len(fake_index.sentences)) if "fat cells" in _text(fake_index, Window(0, r, r + 1, 0, 0))]
    route = np.zeros(len(fake_index.sentences), np.float32)
    route[rows[0]] = 0.8
    for name in ("BM25_SENTENCES", "DENSE_SENTENCES", "FUSED_WINDOWS"):
        monkeypatch.setattr(features, name, 0)  # no chunk but the one the route points at
    assert len(candidate_windows(fake_index, q, qvec, [])) == 0
    w = candidate_windows(fake_index, q, qvec, [], route)
    holds = (w.first <= rows[0]) & (w.last > rows[0])
    assert holds.any()
    assert np.all(w.x[holds, FEATURES.index("route")] == pytest.approx(0.8))
    assert np.all(w.x[~holds, FEATURES.index("route")] == 0)


def test_routes_point_at_the_answers_of_the_nearest_fit_questions_and_are_refused_when_altered(tmp_path):
    from bot.asked import unit
    from bot.route import Routes, route_scores, save_routes

    rng = np.random.default_rng(3)
    vectors = unit(rng.normal(size=(6, 8)))
    gold = np.eye(6, 10, dtype=bool)  # question i is answered by sentence i
    near_two = unit(vectors[2] + 0.05 * rng.normal(size=8))[None, :]
    assert route_scores(vectors, gold, near_two, 1)[0].argmax() == 2
    shares = route_scores(vectors, gold, near_two, 3)[0]
    assert shares[2] == shares.max() and shares.sum() == pytest.approx(1.0) and shares[6:].sum() == 0
    not_itself = route_scores(vectors, gold, near_two, 1, np.eye(1, 6, 2, dtype=bool))[0]
    assert not_itself[2] == 0 and not_itself.max() == 1.0  # a question kept from pointing points nowhere

    meta = {**save_routes(vectors, gold, tmp_path / "routes.npy"), "k": 3, "corpus_hash": "c", "index_format": 5,
            "encoder_xxh3_128": "e"}
    routes = Routes.load(meta, tmp_path)
    assert routes.gold.shape == (6, 10) and (routes.gold == gold).all()
    assert routes.scores(near_two[0]) == pytest.approx(shares, abs=1e-3)
    manifest = {"corpus_hash": "c", "format_version": 5, "sentences": 10}
    assert routes.applies_to(manifest)
    for other in ({"corpus_hash": "a user's folder"}, {"format_version": 6}, {"sentences": 11}):
        assert not routes.applies_to({**manifest, **other})
    table = np.load(tmp_path / "routes.npy")
    table[0, 0] ^= 1
    np.save(tmp_path / "routes.npy", table)
    with pytest.raises(ValueError, match="not the routes"):
        Routes.load(meta, tmp_path)


def test_a_fit_message_is_routed_by_other_writers_questions_never_a_near_copy():
    from bot.asked import unit
    from bot.fit_route import RouteFit
    from bot.suites import words

    messages = ["is alopecia areata contagious", "can you catch alopecia areata from a friend",
                "is alopecia areata contagious at all", "how much does kerastem cost"]
    vectors = unit(FakeEncoder().encode(messages))
    gold = np.eye(4, 5, dtype=bool)
    sets = np.array(["a", "b", "c", "b"])
    fit = RouteFit(vectors, gold, sets, [words(m) for m in messages], 1,
                   lambda m: FakeEncoder().encode([m])[0], {})
    # its own set's question (and any near copy: "... at all" in set c) never points at a training message
    routed = fit.for_message("is alopecia areata contagious", "a")
    assert routed[0] == 0 and routed[2] == 0 and routed[1] == 1.0
    price = "what is the price of kerastem treatment"  # not a near copy of "how much does kerastem cost" (set b)
    assert fit.for_message(price, "a")[3] == 1.0 and fit.for_message(price, "b")[3] == 0
