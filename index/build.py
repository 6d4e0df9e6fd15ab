"""Build or update an index from a folder of articles.

Only articles whose cleaned text or metadata changed are embedded again;
vectors of unchanged articles are carried over from the live build, so a
re-index after adding a leaflet takes seconds, and its result equals a full
rebuild. The whole run holds a lock, and the new build becomes live only
once it is complete on disk.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from filelock import FileLock, Timeout

from index import store
from index.articles import RawArticle, read_articles
from index.chunking import make_chunks, sentence_facts, split_sentences
from index.clean import clean_body, template_lines
from index.dense import make_dense_index
from index.encoders import MODEL_NAME, Encoder, SentenceTransformerEncoder
from index.errors import ArticlesError, IndexBusy
from index.lexical import build_bm25
from index.rerank import models_record
from index.reuse import Previous, previous_build
from index.tags import answer_tags, question_links
from index.vocab import build_vocab

log = logging.getLogger(__name__)
EMBED_SLICE = 4096  # texts per encode call: big enough to batch well, small enough for a live progress bar
CHUNKING = {"max_words": 110, "max_sentences": 6, "splitter": "blingfire"}


@dataclass
class BuildReport:
    documents: int = 0
    chunks: int = 0
    sentences: int = 0
    indexed: int = 0
    unchanged: int = 0
    updated: int = 0
    removed: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    embedded_texts: int = 0
    seconds: float = 0.0
    written: bool = False

    @property
    def chunks_per_second(self) -> float:
        return self.chunks / self.seconds if self.seconds else 0.0


@dataclass
class Prepared:
    """One cleaned article, split, with the texts to embed."""

    doc: store.Document
    sentences: list[tuple[int, int]]
    chunks: list[tuple[int, int]]
    facts: list[tuple[int, int, bool]]  # per sentence: paragraph, words, asks

    def chunk_texts(self) -> list[str]:
        return [chunk_text(self.doc, self.sentences, c) for c in self.chunks]

    def sentence_texts(self) -> list[str]:
        return [self.doc.text[s:e] for s, e in self.sentences]


def chunk_text(doc: store.Document, sentences: list[tuple[int, int]], chunk: tuple[int, int]) -> str:
    """What is embedded and BM25-indexed for a chunk: the title gives it context."""
    first, last = chunk
    return f"{doc.title}\n{doc.text[sentences[first][0] : sentences[last - 1][1]]}"


def doc_hash(article: RawArticle, text: str) -> str:
    payload = [article.id, article.title, article.publisher, article.date, article.url, text, CHUNKING, MODEL_NAME]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()


def prepare(articles: list[RawArticle], report: BuildReport) -> list[Prepared]:
    """Clean, split and chunk; skip (and name) articles left empty or with a duplicate id."""
    template = template_lines([a.body for a in articles])
    out, seen = [], set()
    for article in articles:
        if article.id in seen:
            report.skipped.append((article.origin, f"duplicate article id {article.id!r}"))
            continue
        text = clean_body(article.body, article.title, template)
        spans = split_sentences(text)
        if not spans:
            report.skipped.append((article.origin, "no article text left after cleaning"))
            continue
        seen.add(article.id)
        doc = store.Document(
            id=article.id,
            title=article.title,
            text=text,
            publisher=article.publisher,
            date=article.date,
            url=article.url,
            origin=article.origin,
            hash=doc_hash(article, text),
        )
        sentences = [(s.start, s.end) for s in spans]
        chunks = [(c.first, c.last) for c in make_chunks(text, spans, CHUNKING["max_words"], CHUNKING["max_sentences"])]
        out.append(Prepared(doc, sentences, chunks, sentence_facts(text, spans)))
    return out


def _embed(encoder, todo: list[Prepared], progress) -> dict[str, tuple[np.ndarray, np.ndarray]]:  # noqa: ANN001
    """Embed chunks and sentences of the given articles in large batches, reporting progress."""
    texts, spans = [], []
    for p in todo:
        start = len(texts)
        texts += p.chunk_texts() + p.sentence_texts()
        spans.append((p, start, start + len(p.chunks), len(texts)))
    if not texts:
        return {}
    parts = []
    for lo in range(0, len(texts), EMBED_SLICE):
        parts.append(encoder.encode(texts[lo : lo + EMBED_SLICE]))
        if progress:
            progress(len(parts[-1]))
    matrix = np.vstack(parts)
    return {p.doc.hash: (matrix[a:b], matrix[b:c]) for p, a, b, c in spans}


def build_index(
    articles_path: Path,
    index_dir: Path,
    model_path: Path,
    *,
    rebuild: bool = False,
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
    encoder: Encoder | None = None,
) -> BuildReport:
    """Index `articles_path` into `index_dir`; see the module docstring for the guarantees.

    `encoder` replaces the bundled model (unit tests pass a small fake; such a build has no ONNX query encoder).
    """
    index_dir = Path(index_dir)
    new = not index_dir.exists()
    index_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(index_dir / ".lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout as exc:
        raise IndexBusy(f"another `bot index` is building {index_dir}; wait for it to finish") from exc
    try:
        return _build(Path(articles_path), index_dir, LazyEncoder(model_path, encoder), rebuild, progress, on_total)
    except ArticlesError:
        if new and [p.name for p in index_dir.iterdir()] == [".lock"]:  # nothing was built: leave no folder behind
            shutil.rmtree(index_dir, ignore_errors=True)  # still locked: no other build starts in the gap
        raise
    finally:
        lock.release()


def _build(articles_path, index_dir, get_encoder, rebuild, progress, on_total) -> BuildReport:
    started = time.perf_counter()
    report = BuildReport()
    read = read_articles(articles_path)
    report.skipped.extend(read.skipped)
    prepared = prepare(read.articles, report)
    if not prepared:  # the skipped files' reasons go in the error: the caller prints no report after it
        why = "; ".join(f"{where}: {reason}" for where, reason in report.skipped[:5])
        raise ArticlesError(f"no readable articles in {articles_path}" + (f" (skipped {why})" if why else ""))
    old = Previous() if rebuild else previous_build(index_dir)
    previous = old.vectors
    corpus_hash = hashlib.sha256("".join(p.doc.hash for p in prepared).encode()).hexdigest()
    report.documents = len(prepared)
    report.chunks = sum(len(p.chunks) for p in prepared)
    report.sentences = sum(len(p.sentences) for p in prepared)
    for p in prepared:
        if p.doc.hash in previous:
            report.unchanged += 1
        elif p.doc.id in old.ids:
            report.updated += 1
        else:
            report.indexed += 1
    report.removed = len(old.ids - {p.doc.id for p in prepared})
    if old.corpus_hash == corpus_hash:
        report.seconds = time.perf_counter() - started
        return report  # nothing changed: the live build is already this corpus

    todo = [p for p in prepared if p.doc.hash not in previous]
    total = sum(len(p.chunks) + len(p.sentences) for p in todo)
    report.embedded_texts = total
    if on_total:
        on_total(total)
    vectors = dict(previous)
    vectors.update(_embed(get_encoder() if todo else None, todo, progress))

    build = store.new_build_dir(index_dir)
    try:
        _write(build, prepared, vectors, get_encoder, index_dir if old.ids else None)
        manifest = {
            "model": MODEL_NAME,
            "dimension": int(next(iter(vectors.values()))[0].shape[1]),
            "documents": report.documents,
            "chunks": report.chunks,
            "sentences": report.sentences,
            "corpus_hash": corpus_hash,
            "chunking": CHUNKING,
            "source": str(Path(articles_path).resolve()),
            "models": models_record(),
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        store.commit(index_dir, build, manifest)
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    report.written = True
    report.seconds = time.perf_counter() - started
    return report


class LazyEncoder:
    """The torch encoder, loaded (~6 s) only if something needs embedding; `made` is it, or None."""

    def __init__(self, model_path: Path, given: Encoder | None = None) -> None:
        self.model_path = model_path
        self.given = given
        self.made: SentenceTransformerEncoder | None = None

    def __call__(self) -> Encoder:
        if self.given is not None:
            return self.given
        if self.made is None:
            self.made = SentenceTransformerEncoder(self.model_path)
        return self.made


def _write(build: Path, prepared: list[Prepared], vectors: dict, get_encoder, live: Path | None) -> None:
    import faiss


    sentences, chunks, chunk_vecs, sent_vecs, bm25_texts, sentence_texts = [], [], [], [], [], []
    for d, p in enumerate(prepared):
        base = len(sentences)
        texts = p.sentence_texts()
        links = question_links([f[0] for f in p.facts], [f[2] for f in p.facts], texts)
        sentences.extend(
            (d, s, e, *f, answer_tags(t), base + q if q >= 0 else -1)
            for (s, e), f, t, q in zip(p.sentences, p.facts, texts, links, strict=True)
        )
        sentence_texts.extend(texts)
        chunks.extend((d, base + first, base + last) for first, last in p.chunks)
        cv, sv = vectors[p.doc.hash]
        chunk_vecs.append(cv)
        sent_vecs.append(sv)
        bm25_texts.extend(p.chunk_texts())
    faiss.write_index(make_dense_index(np.vstack(chunk_vecs)), str(build / "chunks.faiss"))
    np.save(build / "sentences.npy", np.vstack(sent_vecs).astype(np.float32))
    np.savez(
        build / "spans.npz", sentences=np.array(sentences, dtype=np.int64), chunks=np.array(chunks, dtype=np.int64)
    )
    store.write_documents(build, [p.doc for p in prepared])
    (build / "bm25").mkdir()
    build_bm25(bm25_texts, build / "bm25")
    (build / "bm25_sentences").mkdir()
    build_bm25(sentence_texts, build / "bm25_sentences")
    old_vocab = store.current_build(live) / "vocab.npz" if live is not None else None
    build_vocab([p.doc.text for p in prepared], get_encoder, build / "vocab.npz", old_vocab)
    if get_encoder.made is not None:
        get_encoder.made.export_onnx(build)
    elif get_encoder.given is not None:
        pass  # a test's fake encoder: no ONNX export; such an index is opened with_encoder=False
    else:  # nothing to embed (only removals): the verified live build's encoder is the same network
        old = store.current_build(live)
        for name in ("encoder.onnx", "tokenizer.json"):
            shutil.copyfile(old / name, build / name)
