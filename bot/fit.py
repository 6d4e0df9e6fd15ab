"""Fit every weight and threshold of the answer path on the `fit` parts of the suites: `python -m bot.fit`.

Writes bot/data/ranker.json (small, reviewed in git): the weights, the features that earned their place, the
data they came from, and cross-validated figures (folds grouped by question: no question is scored by a
model that saw it). The `test` parts are never read here, nor any fit question that near-copies an evaluated one
(`bot.suites.set_aside_near_copies`); `bot eval` reports on them. Six steps in turn:
1. first stage: cheap evidence for every candidate window -> which windows the cross-encoder reads;
2. second stage: the same plus the cross-encoder -> each window's relevance (quote order, `min_score`);
   both stages twice: on the other corpora with plain question vectors (any folder but the bundled articles),
   and on the bundled articles alone with their query adapter (`bot.adapter`, cross-fitted by `bot.fit_adapter`),
   ranker.json's `bundled`. Each ranker is fitted on the corpora it serves: with the bundled articles' questions
   in the general fit too (half its search texts), its cross-validated hit@3 was covid-qa 0.739, covid-faq 0.667,
   MedQuAD 0.625; without them 0.789, 0.737, 0.625 (stop 34; with medquad-fit's 120 more lay questions, stop 35:
   0.783, 0.684, 0.625);
3. answerability: relevance, concept coverage and answer type -> answer or abstain, and its threshold; the
   absent-concept rule's cuts and the cross-encoder floor for questions no window is about;
4. the bundled articles' own answerability: the same evidence plus the vote of the fit messages nearest the
   message in meaning (`bot.asked`, `bot.fit_asked`), kept only if it refuses clearly more (`MIN_GAIN` there) at
   the same answerable share;
5. which words a refusal names (`bot.fit_names`), on the file as written;
6. how sure the bundled answerability must be of a follow-up read with its conversation (`bot.fit_follow_ups`),
   on the hair conversations' fit half, which no other step reads.
The bundled articles' ranking also reads where their answerable fit questions nearest the message point (`bot.route`,
`bot.fit_route`), each fit message routed by the other writers' questions only; shipped only if a stage keeps it.
A feature stays only if dropping it costs cross-validated quality; simpler wins a tie. Every search text weighs
the same (weighing each corpus alike was tried before stop 34, when the general ranker read the bundled articles'
questions too: per-corpus mean of cross-validated hit@3 0.720 against 0.729, and nine second-stage features against
three; again at stop 35 on the other corpora alone: 0.710 against 0.717). Needs scikit-learn.
"""

from __future__ import annotations

import argparse
import functools
import json
import pickle
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from bot.adapter import ADAPTER_FILE
from bot.features import FEATURES, candidate_windows
from bot.fit_adapter import cross_fit
from bot.fit_answer import AnswerRow, fit_answerability
from bot.fit_asked import bundled_answerability
from bot.fit_follow_ups import fit_follow_up_threshold
from bot.fit_names import fit_name_central
from bot.fit_route import fit_routes
from bot.fitting import CachedEncoder, CachedReranker, cv_predict, fit_linear, hit_at, prune
from bot.notice_model import NOTICE_ENCODER, NoticeModel
from bot.questions import questions_in
from bot.ranker import RANKER_FILE, RERANK_FEATURES, Linear, Ranker, cross_features, passage
from bot.retrieve import hybrid_search
from bot.settings import DEFAULT_ARTICLES, Settings, default_index_dir
from bot.suites import HAIR_FIT_SETS, SUITES
from index.reader import DOC

FIT_SUITES = (*HAIR_FIT_SETS, "covid-qa", "covid-faq", "medquad", "medquad-fit")
FIRST_STAGE_RECALL_AT = 8  # the first stage's features are kept for recall at this shortlist
SHORTLISTS = (6, 8, 12, 16, 20, 24)  # ~20 ms a window here, one pair per ONNX call (index/rerank.py)


def encoder_key(suite: str, index) -> str:  # noqa: ANN001 - index.reader.Index
    """The fit cache's key for a suite's query vectors: the suite and its encoder file's checksum. Keyed by suite
    alone, vectors of an earlier encoder could outlive it in a long-lived cache; the ranker fitted that way was not
    what a cold cache gives (another first-stage feature set, a cross-encoder floor 0.39 higher)."""
    return f"{suite} {index.manifest['files']['encoder.onnx']['xxh3_128']}"


def collect(index, encoder, suite, items: list[dict], chunks: int, adapters=None, routes=None) -> list[dict]:  # noqa: ANN001
    groups = []
    for item in items:
        route = routes.for_message(item["question"], suite.name) if routes is not None else None  # out of set
        for query in questions_in(item["question"], whole=False):
            qvec = encoder.encode([query])[0]
            if adapters is not None:  # cross-fitted: an adapter that never saw this question
                qvec = adapters.for_question(item["question"])(qvec)
            w = candidate_windows(index, query, qvec, hybrid_search(index, query, qvec, keep=chunks), route)
            y = suite.window_hits(item, index, w.first, w.last)
            groups.append({"query": query, "x": w.x, "y": y, "w": w, "index": index, "suite": suite.name})
    return groups


def main() -> None:
    from bot.evaluate import suite_index
    from index.encoders import MODEL_NAME
    from index.reader import open_index
    from index.rerank import SCORER_VERSION, CrossEncoder, bundled_reranker_path

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=RANKER_FILE)
    parser.add_argument("--cache", type=Path, default=default_index_dir().parent / "fit-cache.pkl")
    parser.add_argument("--chunks", type=int, default=10, help="candidate chunks per search text (RRF order)")
    parser.add_argument("--answer-only", action="store_true", help="keep the ranking stages in --out; refit step 3")
    args = parser.parse_args()
    t0 = time.perf_counter()
    cache = pickle.loads(args.cache.read_bytes()) if args.cache.is_file() else {"ce": {}, "enc": {}}
    if cache.get("ce_scorer") != SCORER_VERSION:  # scores from another model, length cut or batching: recompute
        cache["ce"], cache["ce_scorer"] = {}, SCORER_VERSION
    reranker = CachedReranker(CrossEncoder(bundled_reranker_path()), cache["ce"])
    settings = Settings.from_env()
    suites = {name: SUITES[name]() for name in FIT_SUITES}
    indexes = {name: suite_index(suite, settings) for name, suite in suites.items()}
    bundled = [n for n in FIT_SUITES if suites[n].articles == DEFAULT_ARTICLES]  # the query adapter's corpus
    home = open_index(indexes[bundled[0]], model=MODEL_NAME)
    labelled = [(i, suites[n]) for n in bundled for i in suites[n].part("fit") if i["kind"] == "answerable"]
    adapters = cross_fit(home, CachedEncoder(home.encoder, cache["enc"], encoder_key("adapter", home)), labelled)
    notices = NoticeModel.load()
    meaning = notices.load_encoder(threads=1)  # one thread, one message per call: the same vectors on any machine
    meaning_of = functools.cache(lambda message: meaning.encode([message])[0])  # the routes' and the vote's
    routes = fit_routes(home, labelled, meaning_of)
    if args.answer_only:  # the ranking stages as they are: no search texts needed
        old = json.loads(args.out.read_text(encoding="utf-8"))
        ranker = Ranker.load(args.out, ranking_only=True)
        shipped = ranker.bundled.routes if ranker.bundled is not None else None
        same = shipped is None or (shipped.k == routes.k and shipped.gold.shape == routes.gold.shape
                                   and bool((shipped.gold == routes.gold).all()))
        if not same:
            raise SystemExit(f"{args.out}'s routes are not the ones these fit sets give; refit whole")
        rows = _answer_rows(ranker, suites, indexes, settings, reranker, cache, adapters, routes)
        old["answer"] = fit_answerability(rows)
        old["bundled"].pop("asked", None)
        if asked := bundled_answerability(rows, old["answer"], args.out, meaning_of):
            old["bundled"]["asked"] = asked
        args.out.write_text(json.dumps(old, indent=1) + "\n", encoding="utf-8")
        args.cache.write_bytes(pickle.dumps(cache))
        _naming(args.out, indexes[bundled[0]], suites, bundled, settings)
        _follow_ups(args.out, indexes[bundled[0]], settings)
        print(f"wrote {args.out} ({time.perf_counter() - t0:.0f} s)")
        return
    plain, adapted = [], []  # the other corpora's search texts as they are; the bundled articles' through the adapter
    for name, suite in suites.items():
        index = open_index(indexes[name], model=MODEL_NAME)
        encoder = CachedEncoder(index.encoder, cache["enc"], encoder_key(name, index))
        answerable = [i for i in suite.part("fit") if i["kind"] == "answerable"]
        if name in bundled:
            adapted += collect(index, encoder, suite, answerable, args.chunks, adapters, routes)
        else:
            plain += collect(index, encoder, suite, answerable, args.chunks)
        print(f"{name}: {len(answerable)} answerable questions ({time.perf_counter() - t0:.0f} s)", flush=True)
    print("every other corpus, plain question vectors:")
    general, entries = fit_ranking(plain, reranker, args.chunks)
    print("the bundled articles alone, through the query adapter (cross-fitted):")
    special, special_entries = fit_ranking(adapted, reranker, args.chunks)
    args.cache.write_bytes(pickle.dumps(cache))
    # the routes ship only if a stage of the bundled ranker reads them (their chunks joined the fit's candidates
    # either way: a ranker that drops them was fitted on a few more candidates than it will see)
    routed = "route" in special.first.features or "route" in special.second.features
    shipped = routes.shipped(home.manifest, notices.encoder_digest) if routed else None
    ranker = replace(general, bundled=replace(special, adapter=adapters.shipped, routes=shipped))

    # 3. answerability, over whole questions: answerable vs near misses and off-topic
    rows = _answer_rows(ranker, suites, indexes, settings, reranker, cache, adapters, routes if routed else None)
    answer = fit_answerability(rows)
    asked = bundled_answerability(rows, answer, args.out, meaning_of)  # 4. the bundled articles' own, with the vote
    args.cache.write_bytes(pickle.dumps(cache))
    fitted_on = {n: f"{len(suites[n].part('fit'))} questions (fit part)" for n in FIT_SUITES}
    special_entries = {**special_entries, "adapter": adapters.save(args.out.parent / ADAPTER_FILE.name)}
    if routed:
        special_entries["routes"] = routes.entry(args.out, home.manifest, NOTICE_ENCODER, notices.encoder_digest)
    validated = entries.pop("cross_validated")
    general_on = {n: fitted_on[n] for n in FIT_SUITES if n not in bundled}  # the ranking's; `answer` reads all
    out = {**entries, "answer": answer, "fitted_on": general_on, "cross_validated": validated}
    out["bundled"] = {**special_entries, "fitted_on": {n: fitted_on[n] for n in bundled}}
    if asked:
        out["bundled"]["asked"] = asked
    args.out.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    _naming(args.out, indexes[bundled[0]], suites, bundled, settings)  # 5. which words a refusal names
    _follow_ups(args.out, indexes[bundled[0]], settings)  # 6. how sure it must be of a follow-up
    print(f"wrote {args.out} ({time.perf_counter() - t0:.0f} s)")


def _naming(out: Path, index_dir: Path, suites: dict, bundled: list[str], settings: Settings) -> None:
    """Step 5 (`bot.fit_names`), on the file as written: the bot as fitted, asked the near misses."""
    items = [i for n in bundled for i in suites[n].part("fit") if i["kind"] == "nearmiss" and i.get("missing")]
    d = json.loads(out.read_text(encoding="utf-8"))
    d["answer"]["naming"] = fit_name_central(out, index_dir, items, settings)
    out.write_text(json.dumps(d, indent=1) + "\n", encoding="utf-8")


def _follow_ups(out: Path, index_dir: Path, settings: Settings) -> None:
    """Step 6 (`bot.fit_follow_ups`), on the file as written: the bot as fitted, asked the hair conversations'
    fit half with their history."""
    items = [i for i in SUITES["hair-conversations"]().part("fit") if i["kind"] in ("conversation", "nearmiss")]
    entry = fit_follow_up_threshold(out, index_dir, items, settings)
    if entry is not None:
        d = json.loads(out.read_text(encoding="utf-8"))
        d["bundled"]["asked"]["follow_up"] = entry
        out.write_text(json.dumps(d, indent=1) + "\n", encoding="utf-8")


def fit_ranking(groups: list[dict], reranker, chunks: int) -> tuple[Ranker, dict]:  # noqa: ANN001
    """Stages 1 and 2 on these search texts: the ranker (no answerability yet) and its ranker.json entries."""
    xs, ys = [g["x"] for g in groups], [g["y"] for g in groups]
    print(f"{len(groups)} search texts; a hitting window is a candidate for {np.mean([y.any() for y in ys]):.3f}")

    # 1. first stage: keep the features that help the shortlist (recall at FIRST_STAGE_RECALL_AT windows)
    at = FIRST_STAGE_RECALL_AT
    first_cols = prune(xs, ys, FEATURES, lambda s, y: hit_at(s, y, at), f"first stage recall@{at}")
    first = fit_linear(np.vstack([x[:, first_cols] for x in xs]), np.concatenate(ys))
    first_model = Linear.from_dict({"features": [FEATURES[c] for c in first_cols], **first})
    top = max(SHORTLISTS)
    shortlisted = []
    for g in groups:
        order = np.argsort(-first_model.logit(g["x"], FEATURES), kind="stable")[:top]
        w, index = g["w"], g["index"]
        texts = [passage(index, int(index.sentences[w.first[i], DOC]), int(w.first[i]), int(w.last[i])) for i in order]
        shortlisted.append((g["x"][order], reranker.score(g["query"], texts), g["y"][order]))
    print(f"cross-encoder read {top} windows per search text", flush=True)

    # 2. second stage, per shortlist length; then prune its features
    names = FEATURES + RERANK_FEATURES
    all_cols = list(range(len(names)))
    by_m = {}

    def first_m(m: int) -> tuple[list, list]:
        """The first m windows as the bot sees them: `ce_gap` is taken among the m read, as `ranker.score` does."""
        xs_m = [np.hstack([x[:m], cross_features(ce[:m])]) for x, ce, _ in shortlisted]
        return xs_m, [y[:m] for *_, y in shortlisted]

    for m in SHORTLISTS:
        xs2, ys2 = first_m(m)
        by_m[m] = np.mean(hit_at(cv_predict(xs2, ys2, all_cols), ys2, 3))
        print(f"shortlist {m:>2}: cross-validated hit@3 {by_m[m]:.3f}", flush=True)
    m = min(k for k, v in by_m.items() if v >= max(by_m.values()) - 0.005)  # shorter (faster) wins a near-tie
    xs2, ys2 = first_m(m)
    second_cols = prune(xs2, ys2, names, lambda s, y: hit_at(s, y, 3), "second stage hit@3")
    second = fit_linear(np.vstack([x[:, second_cols] for x in xs2]), np.concatenate(ys2))
    scores = cv_predict(xs2, ys2, second_cols)
    hits = np.array(hit_at(scores, ys2, 3))
    suite_of = np.array([g["suite"] for g in groups])
    by_suite = {n: round(float(np.mean(hits[suite_of == n])), 4) for n in dict.fromkeys(suite_of.tolist())}
    print(f"second stage, cross-validated hit@3 per suite (of its search texts): {by_suite}", flush=True)
    relevance_of_hits = np.concatenate([1 / (1 + np.exp(-s[y])) for s, y in zip(scores, ys2, strict=True)])
    min_score = float(np.percentile(relevance_of_hits, 5)) if len(relevance_of_hits) else 0.0
    second_model = Linear.from_dict({"features": [names[c] for c in second_cols], **second})
    entries = {
        "first": {"features": first_model.features, **first},
        "second": {"features": second_model.features, **second},
        "rerank_top": m,
        "candidate_chunks": chunks,
        "min_score": round(min_score, 4),
        "cross_validated": {"hit@3 by shortlist": {str(k): round(v, 4) for k, v in by_m.items()},
                            "hit@3": round(float(np.mean(hits)), 4), "hit@3 by suite": by_suite},
    }
    return Ranker(first_model, second_model, m, min_score, chunks=chunks), entries


def _answer_rows(ranker, suites, indexes, settings, reranker, cache, adapters, routes=None) -> list[AnswerRow]:  # noqa: ANN001
    from bot.engine import Bot

    rows = []
    for name in FIT_SUITES:
        bot = Bot.load(replace(settings, index_dir=indexes[name], cache_size=0), ranker=ranker)
        bot.reranker, bot.encoder = reranker, CachedEncoder(bot.encoder, cache["enc"], encoder_key(name, bot.index))
        for item in suites[name].part("fit"):
            if item["kind"] not in ("answerable", "nearmiss", "offtopic"):
                continue
            queries = questions_in(item["question"])
            if bot.ranker.adapter is not None:  # the bundled articles: the adapter fitted without this question
                bot.ranker = replace(bot.ranker, adapter=adapters.for_question(item["question"]))
            own = bot.ranker.routes is not None and routes is not None  # routed out of set, as in the ranking fit
            route = routes.for_message(item["question"], name) if own else None
            ranked = [bot.ranked(q, None, route) for q in queries]
            corpus = "hair" if name.startswith("hair") else name.removesuffix("-fit")  # medquad-fit: medquad's
            rows.append(AnswerRow(item["kind"] == "answerable", " ".join(queries), ranked, bot, corpus,
                                  item["question"], name))
    return rows


if __name__ == "__main__":
    main()
