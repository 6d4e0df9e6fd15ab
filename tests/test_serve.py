"""`bot serve` as a process: refuses broken indexes, keeps answering through rebuilds, logs no questions."""

from __future__ import annotations

import json
import shutil
import urllib.request

from bot.settings import DEFAULT_ARTICLES
from index.build import build_index
from index.encoders import bundled_model_path
from index.store import current_build
from tests.conftest import run_bot
from tests.serving import served

SECRET = "my private question about zebra-quokka scalp rash"
EARLIER = "my earlier private question about an okapi-narwhal itch"


def _post(base: str, path: str, body: dict | None = None) -> dict:
    data = json.dumps(body or {}).encode()
    request = urllib.request.Request(base + path, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def test_serve_refuses_missing_and_corrupted_indexes(tmp_path, index_copy):
    result = run_bot("serve", "--port", "1", "--index", str(tmp_path / "none"), timeout=60)
    assert result.returncode == 3 and b"no index at" in result.stderr
    (current_build(index_copy) / "sentences.npy").write_bytes(b"\x93NUMPY broken")
    result = run_bot("serve", "--port", "1", "--index", str(index_copy), timeout=60)
    assert result.returncode == 3 and b"corrupted" in result.stderr and b"rebuild" in result.stderr


def test_serve_on_a_port_in_use_says_so_with_its_own_exit_code(index_copy):
    import socket

    from tests.serving import free_port

    port = free_port()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        result = run_bot("serve", "--port", str(port), "--index", str(index_copy), timeout=120)
    assert result.returncode == 6 and b"could not start" in result.stderr  # not 3, which means a bad index
    assert run_bot("serve", "--port", "99999", timeout=60).returncode == 2  # not port 99999 % 65536


def test_server_answers_through_a_rebuild_and_switches_only_on_reload(tmp_path, index_copy):
    articles = tmp_path / "articles"
    shutil.copytree(DEFAULT_ARTICLES, articles)
    (articles / "biotin.md").write_text(
        "---\ntitle: Biotin and hair\n---\nThere is little evidence that biotin supplements help hair grow back.\n"
    )
    question = {"question": "do biotin supplements help hair grow back"}
    log = tmp_path / "serve.log"
    with served(index_copy, log_path=log) as (base, _):
        before = _post(base, "/api/ask", question)
        build_index(articles, index_copy, bundled_model_path())  # rebuild on disk while serving
        during = _post(base, "/api/ask", question)
        assert during == before  # still the index it loaded
        assert not any(q["source"]["id"] == "biotin" for q in during["quotes"])
        reloaded = _post(base, "/api/reload")
        assert reloaded["status"] == "reloaded" and reloaded["documents"] == 6
        after = _post(base, "/api/ask", question)
        assert after["quotes"][0]["source"]["id"] == "biotin"
        _post(base, "/api/ask", {"question": SECRET, "history": [EARLIER]})
    text = log.read_text()
    assert "Application startup complete" in text  # the server did log, just not what patients asked
    assert SECRET not in text and "biotin supplements" not in text and EARLIER not in text
