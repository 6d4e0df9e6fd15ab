"""Open a built index for searching, refusing anything that does not check out.

Everything is loaded once: the manifest is checked (format, model, file
checksums) before a single vector is read, so a damaged or foreign index is
refused with a message that says how to rebuild, never half-used.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from index import store
from index.dense import prepare
from index.errors import IndexInvalid
from index.lexical import Bm25
from index.vocab import Vocab

# columns of `Index.sentences` (TAGS: index.tags bit mask; QLINK: row of the question it answers, or -1)
DOC, START, END, PARAGRAPH, WORDS, ASKS, TAGS, QLINK = range(8)


@dataclass
class Index:
    """A loaded index.

    Rows of `sentences` are (doc, start, end, paragraph, words, asks, tags, qlink); of `chunks`,
    (doc, first, last) with sentence rows [first, last). `sentence_chunk[row]` is the chunk holding a sentence.
    """

    path: Path
    manifest: dict
    documents: list[store.Document]
    by_id: dict[str, int]
    sentences: np.ndarray
    chunks: np.ndarray
    dense: object  # faiss.Index
    sentence_vectors: np.ndarray
    bm25: Bm25
    encoder: object | None  # OnnxEncoder
    sentence_bm25: Bm25 | None = None  # None only for an older-format build read for its vectors
    vocab: Vocab | None = None
    sentence_chunk: np.ndarray | None = None

    def span(self, first: int, last: int) -> tuple[int, int, int]:
        """(document row, start, end) of sentence rows [first, last): the characters a window quotes."""
        return (int(self.sentences[first, DOC]), int(self.sentences[first, START]), int(self.sentences[last - 1, END]))

    @cached_property
    def windows(self) -> tuple[np.ndarray, np.ndarray]:
        """Every quotable window of the index, as sentence rows [first, last): each sentence that is not a
        question, and each pair of such sentences inside one paragraph. Computed once per loaded index."""
        s = self.sentences
        ok = s[:, ASKS] == 0
        first = np.flatnonzero(ok)
        pair = first[first + 1 < len(s)]
        pair = pair[ok[pair + 1] & (s[pair, DOC] == s[pair + 1, DOC]) & (s[pair, PARAGRAPH] == s[pair + 1, PARAGRAPH])]
        return np.concatenate([first, pair]), np.concatenate([first + 1, pair + 2])

    @property
    def version(self) -> str:
        """Identifies this exact build (used to key caches)."""
        return self.path.name


def open_index(
    index_dir: Path, *, model: str, with_encoder: bool = True, threads: int = 0, any_format: bool = False
) -> Index:
    """Load the live build. `any_format` is for `bot index` reusing vectors of an older build."""
    import faiss

    build = store.current_build(Path(index_dir))
    manifest = store.read_manifest(build, model=model, any_format=any_format)
    try:
        documents = store.read_documents(build)
        spans = np.load(build / "spans.npz")
        sentences, chunks = spans["sentences"], spans["chunks"]
        dense = prepare(faiss.read_index(str(build / "chunks.faiss")))
        sentence_vectors = np.load(build / "sentences.npy", mmap_mode="r")
        bm25 = Bm25(build / "bm25")
        sentence_bm25 = Bm25(build / "bm25_sentences") if (build / "bm25_sentences").is_dir() else None
        vocab = Vocab.load(build / "vocab.npz") if not any_format else None
    except Exception as exc:  # noqa: BLE001 - any read failure means the same thing to the user
        raise IndexInvalid(f"index at {index_dir} could not be read ({exc}); {store.rebuild_hint(index_dir)}") from exc
    expected = (manifest["chunks"], manifest["sentences"], manifest["documents"], manifest["dimension"])
    found = (dense.ntotal, len(sentences), len(documents), dense.d)
    columns = sentences.shape[1] >= 3 if any_format else sentences.shape[1] == 8
    shapes_ok = sentences.ndim == 2 and columns and chunks.ndim == 2 and chunks.shape[1] == 3
    if (
        found != expected
        or not shapes_ok
        or sentence_vectors.shape != (len(sentences), dense.d)
        or bm25.size != dense.ntotal
        or (not any_format and (sentence_bm25 is None or sentence_bm25.size != len(sentences)))
    ):
        raise IndexInvalid(
            f"index at {index_dir} does not match its manifest (found {found}, expected {expected}); "
            + store.rebuild_hint(index_dir)
        )
    encoder = None
    if with_encoder:
        from index.encoders import OnnxEncoder

        encoder = OnnxEncoder(build / "encoder.onnx", build / "tokenizer.json", threads=threads)
    return Index(
        path=build,
        manifest=manifest,
        documents=documents,
        by_id={d.id: i for i, d in enumerate(documents)},
        sentences=sentences,
        chunks=chunks,
        dense=dense,
        sentence_vectors=sentence_vectors,
        bm25=bm25,
        encoder=encoder,
        sentence_bm25=sentence_bm25,
        vocab=vocab,
        sentence_chunk=np.repeat(np.arange(len(chunks)), chunks[:, 2] - chunks[:, 1]) if len(chunks) else chunks[:, 0],
    )
