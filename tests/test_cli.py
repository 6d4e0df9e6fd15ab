"""The `bot` command as a user runs it: real process, real index."""

import json

from tests.conftest import run_bot


def test_ask_prints_numbered_cited_quotes_then_the_disclaimer(index_dir):
    result = run_bot("ask", "Will my hair grow back if I stop the pills?", "--index", str(index_dir))
    out = result.stdout.decode()
    assert result.returncode == 0, result.stderr
    assert out.lstrip().startswith("[1] \u201c")
    assert "source: ruxolitinib-alopecia-trial-huffpost" in out
    assert out.rstrip().endswith("pharmacist about your own situation.")


def test_ask_json_matches_the_contract_and_source_offsets(index_dir):
    result = run_bot("ask", "--json", "what causes alopecia areata", "--top-k", "2", "--index", str(index_dir))
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert set(answer) >= {"question", "answered", "quotes", "disclaimer", "notice"}
    assert answer["answered"] is True and 1 <= len(answer["quotes"]) <= 2
    quote = answer["quotes"][0]
    assert set(quote) == {"text", "score", "start", "end", "source", "page"}
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


def test_eval_meets_its_thresholds(index_dir):
    result = run_bot("eval", "--index", str(index_dir), timeout=300)
    out = result.stdout.decode()
    assert result.returncode == 0, out
    assert "PASS" in out and "furniture quotes        0" in out


def test_first_ask_builds_the_default_index(tmp_path):
    result = run_bot("ask", "--json", "is gene therapy safe", env={"XDG_CACHE_HOME": str(tmp_path)}, timeout=300)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "patient-quote-bot" / "index" / "CURRENT").is_file()
    assert b"building it from the bundled articles" in result.stderr
    assert json.loads(result.stdout)["answered"] is True
