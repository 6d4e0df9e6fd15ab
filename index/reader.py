"""Open a built index for searching, refusing anything that does not check out.

Everything is loaded once: the manifest is checked (format, model, file
checksums) before a single vector is read, so a damaged or foreign index is
refused with a message that says how to rebuild, never half-used.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index import store
from index.dense import prepare
from index.errors import IndexInvalid
from index.lexical import Bm25

# columns of `Index.sentences`
DOC, START, END, PARAGRAPH, WORDS, ASKS = range(6)


@dataclass
class Index:
    """A loaded index.

    Rows of `sentences` are (doc, start, end, paragraph, words, asks); of `chunks`,
    (doc, first, last) with sentence rows [first, last).
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
    except Exception as exc:  # noqa: BLE001 - any read failure means the same thing to the user
        raise IndexInvalid(f"index at {index_dir} could not be read ({exc}); {store.rebuild_hint(index_dir)}") from exc
    expected = (manifest["chunks"], manifest["sentences"], manifest["documents"], manifest["dimension"])
    found = (dense.ntotal, len(sentences), len(documents), dense.d)
    columns = sentences.shape[1] >= 3 if any_format else sentences.shape[1] == 6
    shapes_ok = sentences.ndim == 2 and columns and chunks.ndim == 2 and chunks.shape[1] == 3
    if (
        found != expected
        or not shapes_ok
        or sentence_vectors.shape != (len(sentences), dense.d)
        or bm25.size != dense.ntotal
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
    )
