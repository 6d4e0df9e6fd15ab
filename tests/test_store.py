"""The index on disk: manifest checks, corruption, atomic switch."""

import json
import shutil

import pytest

from bot.engine import Bot
from bot.settings import Settings
from index import store
from index.errors import IndexInvalid, IndexMissing
from index.reader import open_index

MODEL = "sentence-transformers/all-MiniLM-L6-v2"


def _build_dir(index):
    return store.current_build(index)


def test_manifest_records_model_dimension_counts_hash_and_format(index_dir):
    manifest = json.loads((_build_dir(index_dir) / "manifest.json").read_text())
    assert manifest["model"] == MODEL and manifest["dimension"] == 384
    assert manifest["format_version"] == store.FORMAT_VERSION
    assert manifest["documents"] == 5 and manifest["chunks"] > 5 and len(manifest["corpus_hash"]) == 64
    assert {"chunks.faiss", "sentences.npy", "encoder.onnx", "documents.json"} <= set(manifest["files"])


def test_missing_index_says_how_to_build_one(tmp_path):
    with pytest.raises(IndexMissing, match="bot index"):
        open_index(tmp_path / "nothing", model=MODEL)


def test_index_built_with_another_model_is_refused(index_copy):
    path = _build_dir(index_copy) / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["model"] = "sentence-transformers/other-model"
    path.write_text(json.dumps(manifest))
    with pytest.raises(IndexInvalid, match="built with model .*rebuild"):
        open_index(index_copy, model=MODEL)


def test_other_format_version_is_refused(index_copy):
    path = _build_dir(index_copy) / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["format_version"] = 999
    path.write_text(json.dumps(manifest))
    with pytest.raises(IndexInvalid, match="format"):
        open_index(index_copy, model=MODEL)


@pytest.mark.parametrize(
    "name", ["chunks.faiss", "sentences.npy", "documents.json", "encoder.onnx", "bm25/vocab.index.json"]
)
def test_corrupted_file_is_refused(index_copy, name):
    path = _build_dir(index_copy) / name
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(IndexInvalid, match=f"{name}.*corrupted"):
        Bot.load(Settings(index_dir=index_copy))


def test_truncated_and_swapped_files_are_refused(index_copy):
    build = _build_dir(index_copy)
    shutil.copyfile(build / "sentences.npy", build / "chunks.faiss")
    with pytest.raises(IndexInvalid):
        open_index(index_copy, model=MODEL)
    (build / "sentences.npy").write_bytes(b"")
    with pytest.raises(IndexInvalid):
        open_index(index_copy, model=MODEL)


def test_pointer_to_missing_build_is_refused(index_copy):
    (index_copy / store.POINTER).write_text("b-gone\n")
    with pytest.raises(IndexInvalid, match="missing build"):
        open_index(index_copy, model=MODEL)


def test_commit_switches_atomically_and_removes_stale_builds(index_copy):
    live = _build_dir(index_copy)
    half_written = index_copy / "b-19990101T000000-deadbeef"
    half_written.mkdir()
    (half_written / "chunks.faiss").write_bytes(b"partial")
    fresh = store.new_build_dir(index_copy)
    for item in live.iterdir():
        if item.name != "manifest.json":
            (shutil.copytree if item.is_dir() else shutil.copyfile)(item, fresh / item.name)
    manifest = json.loads((live / "manifest.json").read_text())
    manifest.pop("files")
    store.commit(index_copy, fresh, manifest)
    assert store.current_build(index_copy) == fresh
    assert not live.exists() and not half_written.exists()
    assert open_index(index_copy, model=MODEL).documents
