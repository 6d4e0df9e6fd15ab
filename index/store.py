"""The index on disk: versioned build folders, a manifest, an atomic switch.

Layout of an index folder::

    CURRENT              name of the live build (replaced atomically)
    .lock                held while a build runs
    b-<time>-<id>/       one complete build
        manifest.json    model, dimension, counts, corpus hash, format, file checksums
        documents.json   cleaned articles with their metadata
        spans.npz        sentence and chunk offsets
        chunks.faiss     chunk vectors (inner product on unit vectors)
        sentences.npy    sentence vectors, for choosing the exact quote
        bm25/            bm25s index and vocabulary
        encoder.onnx, tokenizer.json   the torch-free query encoder

A build is written in full into a fresh folder and fsynced; only then does
`CURRENT` switch to it. A build killed at any point leaves the old one live.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

import xxhash

from index.errors import IndexInvalid, IndexMissing

FORMAT_VERSION = 5  # 2: sentence facts; 3: answer tags, question links, sentence BM25; 4: vocab; 5: letters
# are first-person paragraphs (an author's rhetorical question no longer makes the paragraph before it unquotable)
POINTER = "CURRENT"
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    text: str
    publisher: str | None
    date: str | None
    url: str | None
    origin: str
    hash: str

    def public(self) -> dict:
        """The fields a reader of the source sees (`bot source --json`, `/api/sources/{id}`)."""
        return {k: getattr(self, k) for k in ("id", "title", "publisher", "date", "url", "text")}


def file_digest(path: Path) -> str:
    digest = xxhash.xxh3_128()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _fsync_tree(root: Path) -> None:
    for path in sorted(root.rglob("*")):
        if path.is_file():
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())
    fd = os.open(root, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def new_build_dir(index_dir: Path) -> Path:
    """A fresh, uniquely named folder to write a build into."""
    index_dir.mkdir(parents=True, exist_ok=True)
    path = index_dir / f"b-{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
    path.mkdir()
    return path


def write_documents(build: Path, documents: list[Document]) -> None:
    with open(build / "documents.json", "w", encoding="utf-8") as fh:
        json.dump([asdict(d) for d in documents], fh, ensure_ascii=False)


def commit(index_dir: Path, build: Path, manifest: dict) -> None:
    """Checksum every file, write the manifest, fsync, then switch `CURRENT` atomically."""
    files = {
        p.relative_to(build).as_posix(): {"bytes": p.stat().st_size, "xxh3_128": file_digest(p)}
        for p in sorted(build.rglob("*"))
        if p.is_file()
    }
    manifest = {**manifest, "format_version": FORMAT_VERSION, "files": files}
    (build / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
    _fsync_tree(build)
    tmp = index_dir / f".{POINTER}.{uuid.uuid4().hex}"
    tmp.write_text(build.name + "\n", encoding="utf-8")
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, index_dir / POINTER)
    _fsync_tree_dir(index_dir)
    remove_stale(index_dir, keep=build.name)


def _fsync_tree_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_stale(index_dir: Path, keep: str) -> None:
    """Delete builds that are not live: older ones and any a killed run left half-written.

    A running server that loaded an older build keeps its open files: on POSIX
    they live until closed, so it goes on answering until it reloads.
    """
    for path in index_dir.glob("b-*"):
        if path.name != keep and path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
    for path in index_dir.glob(f".{POINTER}.*"):
        path.unlink(missing_ok=True)


def current_build(index_dir: Path) -> Path:
    """The live build folder, or a clear error saying what is missing."""
    pointer = Path(index_dir) / POINTER
    if not pointer.is_file():
        raise IndexMissing(f"no index at {index_dir}: build one with `bot index --index {index_dir}`")
    name = pointer.read_text(encoding="utf-8").strip()
    build = Path(index_dir) / name
    if not name.startswith("b-") or "/" in name or not build.is_dir():
        raise IndexInvalid(f"index at {index_dir} points to a missing build ({name!r}); {rebuild_hint(index_dir)}")
    return build


def build_format(build: Path) -> object:
    """The format version a build's manifest records; None when it is unreadable (loading then says why)."""
    try:
        return json.loads((build / MANIFEST).read_text(encoding="utf-8")).get("format_version")
    except (OSError, ValueError, AttributeError):
        return None


def rebuild_hint(index_dir: Path) -> str:
    return f"rebuild it with `bot index --rebuild --index {index_dir}`"


def read_manifest(build: Path, *, model: str, verify: bool = True, any_format: bool = False) -> dict:
    """Load and check the manifest: format, model, and every file's size and checksum.

    `any_format` lets an update read the vectors of an older-format build, which stay valid.
    """
    index_dir = build.parent
    try:
        manifest = json.loads((build / MANIFEST).read_text(encoding="utf-8"))
        files = manifest["files"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IndexInvalid(f"index manifest in {build} is unreadable ({exc}); {rebuild_hint(index_dir)}") from exc
    if manifest.get("format_version") != FORMAT_VERSION and not any_format:
        raise IndexInvalid(
            f"index format {manifest.get('format_version')!r} is not the supported {FORMAT_VERSION}; "
            + rebuild_hint(index_dir)
        )
    if manifest.get("model") != model:
        raise IndexInvalid(
            f"index was built with model {manifest.get('model')!r} but this bot uses {model!r}; "
            + rebuild_hint(index_dir)
        )
    if verify:
        for name, meta in files.items():
            path = build / name
            if not path.is_file():
                raise IndexInvalid(f"index file {name} is missing; {rebuild_hint(index_dir)}")
            if path.stat().st_size != meta["bytes"] or file_digest(path) != meta["xxh3_128"]:
                raise IndexInvalid(f"index file {name} is corrupted (checksum mismatch); {rebuild_hint(index_dir)}")
    return manifest


def read_documents(build: Path) -> list[Document]:
    with open(build / "documents.json", encoding="utf-8") as fh:
        return [Document(**d) for d in json.load(fh)]
