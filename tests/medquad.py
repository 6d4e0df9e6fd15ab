"""Index the 16,407 MedQuAD articles and measure it (a documented command, not in the default test run).

    python tests/medquad.py [--index DIR] [--skip-build] [--questions N]

Prints: build time, chunks/s, index size, peak memory; the time of a re-index with
nothing changed (and its ratio to the build); then retrieval quality on paraphrased
MedQuAD questions, against a same-run reciprocal-rank fusion of BM25 and dense
retrieval over whole articles (title + text).

MedQuAD: Ben Abacha & Demner-Fushman, BMC Bioinformatics 20, 511 (2019), CC BY 4.0.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "medquad" / "articles.jsonl"
PARAPHRASES = [
    (r"^What is \(are\) (.+?) \?$", "can you explain what {} is"),
    (r"^What are the symptoms of (.+?) \?$", "what signs should I look out for with {}"),
    (r"^What are the treatments for (.+?) \?$", "how do doctors treat {}"),
    (r"^What are the genetic changes related to (.+?) \?$", "which genes are involved in {}"),
    (r"^How many people are affected by (.+?) \?$", "how common is {}"),
    (r"^How to diagnose (.+?) \?$", "how do doctors find out if someone has {}"),
    (r"^Who is at risk for (.+?)\?* \?$", "who is more likely to get {}"),
    (r"^What is the outlook for (.+?) \?$", "what is the prognosis for someone with {}"),
    (r"^What causes (.+?) \?$", "why do people get {}"),
    (r"^Is (.+?) inherited \?$", "does {} run in families"),
    (r"^How to prevent (.+?) \?$", "can {} be prevented"),
    (r"^What to do for (.+?) \?$", "what should I do about {}"),
]


def timed_bot(*args: str) -> tuple[float, int, str]:
    """Run `bot ...`; return seconds, peak RSS of the child (MB), stderr."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    proc = subprocess.run([str(Path(sys.executable).with_name("bot")), *args], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if proc.returncode:
        sys.exit(f"bot {' '.join(args)} failed:\n{proc.stderr[-2000:]}")
    peak = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) // 1024
    return seconds, peak, proc.stderr


def questions(records: list[dict], n: int, seed: int = 7) -> list[tuple[str, set[str]]]:
    by_title: dict[str, set[str]] = {}
    for r in records:
        by_title.setdefault(r["title"], set()).add(r["id"])
    pool = []
    for title, ids in sorted(by_title.items()):
        for pattern, template in PARAPHRASES:
            m = re.match(pattern, title)
            if m:
                pool.append((template.format(m.group(1).strip().lower()), ids))
                break
    return random.Random(seed).sample(pool, min(n, len(pool)))


def score(rankings: list[list[str]], expected: list[set[str]]) -> dict[str, float]:
    out = {"hit@1": 0.0, "hit@3": 0.0, "hit@10": 0.0, "MRR": 0.0}
    for ranking, want in zip(rankings, expected, strict=True):
        rank = next((i for i, doc in enumerate(ranking[:10], 1) if doc in want), None)
        if rank:
            out["MRR"] += 1 / rank
            for k in (1, 3, 10):
                out[f"hit@{k}"] += rank <= k
    return {k: v / len(rankings) for k, v in out.items()}


def baseline(records: list[dict], qs: list[str]) -> list[list[str]]:
    """Article-level RRF of bm25s and MiniLM over title + text: the usual hybrid recipe."""
    import bm25s
    import faiss
    import Stemmer

    from index.encoders import SentenceTransformerEncoder, bundled_model_path

    texts = [f"{r['title']}\n{r['text']}" for r in records]
    stemmer = Stemmer.Stemmer("english")
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(texts, stopwords="en", stemmer=stemmer, show_progress=False), show_progress=False)
    encoder = SentenceTransformerEncoder(bundled_model_path())
    started = time.perf_counter()
    vectors = encoder.encode(texts, batch_size=64, progress=True)
    print(f"baseline: embedded {len(texts)} articles in {time.perf_counter() - started:.0f} s", flush=True)
    dense = faiss.IndexFlatIP(vectors.shape[1])
    dense.add(vectors)
    qv = encoder.encode(qs)
    _, dense_ids = dense.search(qv, 100)
    lexical_ids, _ = retriever.retrieve(
        bm25s.tokenize(qs, stopwords="en", stemmer=stemmer, show_progress=False), k=100, show_progress=False
    )
    out = []
    for d_row, l_row in zip(dense_ids, lexical_ids, strict=True):
        fused: dict[int, float] = {}
        for ranking in (d_row, l_row):
            for rank, doc in enumerate(ranking):
                fused[int(doc)] = fused.get(int(doc), 0) + 1 / (61 + rank)
        out.append([records[i]["id"] for i in sorted(fused, key=lambda i: -fused[i])[:10]])
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--index", type=Path, default=Path("/tmp/medquad-index"))
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args()

    if not args.skip_build:
        seconds, peak, log = timed_bot("index", "--articles", str(CORPUS), "--index", str(args.index), "--rebuild")
        print(log.strip().splitlines()[-2])
        print(f"build: {seconds:.0f} s wall, peak RSS {peak} MB")
        again, peak2, log2 = timed_bot("index", "--articles", str(CORPUS), "--index", str(args.index))
        print(log2.strip().splitlines()[-1])
        print(f"re-index, nothing changed: {again:.1f} s = {again / seconds:.1%} of the build (peak RSS {peak2} MB)")
    from bot.engine import Bot
    from bot.settings import Settings
    from index.store import current_build

    build = current_build(args.index)
    size = sum(p.stat().st_size for p in build.rglob("*") if p.is_file())
    print(f"index size: {size / 1e6:.0f} MB ({json.loads((build / 'manifest.json').read_text())['chunks']} chunks)")

    records = [json.loads(line) for line in CORPUS.open(encoding="utf-8")]
    qs = questions(records, args.questions)
    bot = Bot.load(Settings(index_dir=args.index))
    started = time.perf_counter()
    ours = []
    for q, _ in qs:
        seen: list[str] = []
        for quote in bot.ask(q, top_k=10).quotes:
            if quote.source.id not in seen:
                seen.append(quote.source.id)
        ours.append(seen)
    per = (time.perf_counter() - started) / len(qs) * 1000
    distinct = np.mean([len(r) for r in ours])
    print(
        f"\n{len(qs)} paraphrased MedQuAD questions; ask(top_k=10) {per:.1f} ms each, {distinct:.1f} distinct articles"
    )
    expected = [ids for _, ids in qs]
    rows = {"this bot (quotes)": score(ours, expected)}
    if not args.no_baseline:
        rows["RRF BM25+dense, articles"] = score(baseline(records, [q for q, _ in qs]), expected)
    print(f"{'':28}" + "".join(f"{k:>9}" for k in next(iter(rows.values()))))
    for name, metrics in rows.items():
        print(f"{name:28}" + "".join(f"{v:9.3f}" for v in metrics.values()))


if __name__ == "__main__":
    main()
