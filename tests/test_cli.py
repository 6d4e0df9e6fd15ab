"""The `bot` command as a user runs it: real process, real index."""

import json

from tests.conftest import run_bot


def test_ask_prints_numbered_cited_quotes_then_the_disclaimer(index_dir):
    result = run_bot("ask", "Will my hair grow back if I stop the pills?", "--index", str(index_dir))
    out = result.stdout.decode()
    assert result.returncode == 0, result.stderr
    before = out[: out.index("[1] \u201c")]
    assert before.strip() == "" or before.lstrip().startswith("\u250c")  # only notices (each framed) come first
    assert "HuffPost, 27 Sep 2016 (source: ruxolitinib-alopecia-trial-huffpost)" in out  # date in words
    assert "characters" not in out  # offsets are for --json
    assert out.rstrip().endswith("pharmacist about your own situation.")


def test_ask_json_matches_the_contract_and_source_offsets(index_dir):
    result = run_bot("ask", "--json", "what causes alopecia areata", "--top-k", "2", "--index", str(index_dir))
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert set(answer) >= {"question", "answered", "quotes", "disclaimer", "notice"}
    assert answer["answered"] is True and 1 <= len(answer["quotes"]) <= 2
    quote = answer["quotes"][0]
    assert set(quote) == {"text", "score", "start", "end", "source", "page", "focus_start", "focus_end"}
    assert {"notices", "missing", "notes", "context_from"} <= set(answer)
    assert set(quote["source"]) == {"id", "title", "publisher", "date", "url"}
    source = run_bot("source", quote["source"]["id"], "--json", "--index", str(index_dir))
    doc = json.loads(source.stdout)
    assert set(doc) == {"id", "title", "publisher", "date", "url", "text"}
    assert doc["text"][quote["start"] : quote["end"]] == quote["text"]


def test_batch_mode_answers_line_by_line_and_reports_bad_lines(index_dir):
    lines = b"what causes alopecia areata\n\n   \n\xff\xfe not utf-8\n" + b"x" * 5000 + b"\nhow do I bake bread\n"
    result = run_bot("ask", "--json", "--index", str(index_dir), input=lines)
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert len(out) == 6
    assert out[0]["answered"] is True
    assert "empty" in out[1]["error"] and "empty" in out[2]["error"]
    assert "UTF-8" in out[3]["error"]
    assert "too long" in out[4]["error"]
    assert out[5]["answered"] is False and out[5]["quotes"] == []


def test_a_lone_surrogate_is_a_bad_question_not_a_crash(index_dir):
    """An undecodable byte in the argument, or "\\udcff" in a JSON line, is one clear error; the batch goes on."""
    import os

    alone = run_bot("ask", os.fsdecode(b"\xff\xfe bad hair?"), "--index", str(index_dir))
    assert alone.returncode == 2 and "not valid text" in alone.stderr.decode() and b"Traceback" not in alone.stderr
    lines = b'{"question": "\\udcff hair"}\nwhat causes alopecia areata\n'
    batch = run_bot("ask", "--json", "--index", str(index_dir), input=lines)
    out = [json.loads(line) for line in batch.stdout.decode().splitlines()]
    assert batch.returncode == 0 and "not valid text" in out[0]["error"] and out[1]["answered"] is True


def test_batch_mode_reads_json_lines_with_history(index_dir):
    turns = [
        {"question": "Does ruxolitinib make hair grow back?"},
        {"question": "how long did they take it for?", "history": ["Does ruxolitinib make hair grow back?"]},
        {"question": "x", "history": ["fine", ""]},
        {"question": "x", "history": ["a"] * 7},
        {"history": ["a"]},
        {"question": "x", "extra": 1},
    ]
    lines = "\n".join(json.dumps(t) for t in turns) + '\n{"question": broken\nplain question about alopecia\n'
    result = run_bot("ask", "--json", "--index", str(index_dir), input=lines)
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert len(out) == 8
    assert out[0]["answered"] is True and out[1]["question"] == "how long did they take it for?" and out[1]["quotes"]
    assert out[1]["context_from"] == 0
    assert out[2]["error"] == "history[1]: the question is empty: please type a question"
    assert "at most 6" in out[3]["error"] and "question" in out[4]["error"] and "extra" in out[5]["error"]
    assert "not valid JSON" in out[6]["error"] and out[7]["answered"] is True


def test_sources_lists_the_articles(index_dir):
    listed = json.loads(run_bot("sources", "--json", "--index", str(index_dir)).stdout)
    assert len(listed) == 5 and all(set(s) == {"id", "title", "publisher", "date", "url"} for s in listed)
    text = run_bot("sources", "--index", str(index_dir)).stdout.decode()
    assert all(s["title"] in text and f"id: {s['id']}" in text for s in listed)
    assert "HuffPost \u00b7 27 Sep 2016" in text and "undated" in text


def test_help_is_plain(index_dir):
    for args in (["--help"], ["ask", "--help"], ["chat", "--help"], ["sources", "--help"]):
        out = run_bot(*args).stdout.decode()
        assert "<bool>" not in out and "folder ." not in out
    assert "Index folder [default: ~/.cache/patient-quote-bot/index]." in run_bot("ask", "--help").stdout.decode()


def test_one_megabyte_line_in_batch_is_one_error_line(index_dir):
    result = run_bot("ask", "--json", "--index", str(index_dir), input=b"a" * 1_000_000 + b"\nhair loss\n")
    out = result.stdout.decode().splitlines()
    assert result.returncode == 0 and len(out) == 2
    assert "too long" in json.loads(out[0])["error"]


def test_bad_questions_exit_2_with_one_line_and_no_traceback(index_dir):
    for question in ["", "   ", "y" * 4001]:
        result = run_bot("ask", question, "--index", str(index_dir))
        err = result.stderr.decode()
        assert result.returncode == 2
        assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err


def test_unknown_flag_and_missing_question_exit_2():
    assert run_bot("ask", "--bogus").returncode == 2
    assert run_bot("ask").returncode == 2


def test_missing_and_corrupted_index_fail_clearly(tmp_path, index_copy):
    result = run_bot("ask", "hair", "--index", str(tmp_path / "none"))
    assert result.returncode == 3 and b"no index at" in result.stderr and b"Traceback" not in result.stderr
    from index.store import current_build

    (current_build(index_copy) / "chunks.faiss").write_bytes(b"garbage")
    result = run_bot("ask", "hair", "--index", str(index_copy))
    assert result.returncode == 3 and b"corrupted" in result.stderr and b"rebuild" in result.stderr


def test_source_unknown_id_exits_nonzero(index_dir):
    result = run_bot("source", "nope", "--index", str(index_dir))
    assert result.returncode == 5 and b"no article with id" in result.stderr


def test_eval_meets_its_thresholds_on_the_held_out_suite(index_dir):
    """The real models and index on blind questions never fitted on: the thresholds in bot/evaluate.py."""
    result = run_bot("eval", "--suite", "hair-heldout", "--index", str(index_dir), timeout=600)
    out = result.stdout.decode()
    assert result.returncode == 0, out + result.stderr.decode()[-2000:]
    assert "PASS" in out
    row = out.splitlines()[2]
    assert row.startswith("hair-heldout") and row.split()[-2:] == ["0", "0"], out  # no furniture, all verbatim


def test_eval_rejects_an_unknown_suite(index_dir):
    result = run_bot("eval", "--suite", "nope", "--index", str(index_dir))
    assert result.returncode == 2 and b"unknown suite" in result.stderr


def test_first_ask_builds_the_default_index(tmp_path):
    result = run_bot("ask", "--json", "is gene therapy safe", env={"XDG_CACHE_HOME": str(tmp_path)}, timeout=300)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "patient-quote-bot" / "index" / "CURRENT").is_file()
    assert b"building it from the bundled articles" in result.stderr
    assert json.loads(result.stdout)["answered"] is True
    # after an upgrade that changed the index format, the next ask updates the default index instead of failing
    index = tmp_path / "patient-quote-bot" / "index"
    build = index / (index / "CURRENT").read_text().strip()
    manifest = json.loads((build / "manifest.json").read_text())
    (build / "manifest.json").write_text(json.dumps({**manifest, "format_version": manifest["format_version"] - 1}))
    again = run_bot("ask", "--json", "is gene therapy safe", env={"XDG_CACHE_HOME": str(tmp_path)}, timeout=300)
    assert again.returncode == 0, again.stderr
    assert b"built by an older version" in again.stderr
    assert json.loads(again.stdout)["answered"] is True


def test_an_index_path_that_is_a_file_and_an_unknown_eval_part_are_one_line_errors(tmp_path):
    (tmp_path / "taken").write_text("not a folder")
    built = run_bot("index", "--articles", "bot/data/articles", "--index", str(tmp_path / "taken"))
    assert built.returncode == 3 and b"Traceback" not in built.stderr
    assert built.stderr.decode().startswith("error: cannot write an index at")
    scored = run_bot("eval", "--part", "tst")  # a typo used to score no question and print PASS
    assert scored.returncode == 2 and b"'tst' is not one of test, fit, all" in scored.stderr
