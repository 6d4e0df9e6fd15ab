"""`bot`: ask, chat, sources, source, index, serve, eval. Parses input, calls the core, formats output."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Optional

import typer

from bot.settings import DEFAULT_ARTICLES, Settings, default_index_dir
from index.errors import BotError, IndexInvalid

app = typer.Typer(
    help="Answer patient questions with verbatim, cited quotes from your articles.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain click help: no "<bool>" type tags, and "[default: ...]" is not read as markup
)
IndexOpt = Annotated[
    Optional[Path],
    typer.Option("--index", metavar="DIR", help="Index folder [default: ~/.cache/patient-quote-bot/index]."),
]
PARTS = ("test", "fit", "all")  # `bot eval --part`: the suites' parts (bot.suites)
TopKOpt = Annotated[
    Optional[int], typer.Option("--top-k", metavar="N", min=1, max=10, help="Most quotes to return [default: 3].")
]


@contextmanager
def errors_to_exit():
    """Domain errors become one line on stderr and their exit code; never a traceback."""
    try:
        yield
    except BotError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(exc.exit_code) from None


def _settings(index: Path | None, **extra: object) -> Settings:
    return Settings.from_env(index_dir=index, **extra)


def _build(settings: Settings, articles: Path, rebuild: bool = False) -> None:
    from tqdm import tqdm

    from index.build import build_index

    bar = tqdm(total=0, unit="text", desc="embedding", file=sys.stderr, dynamic_ncols=True, disable=None)

    def on_total(total: int) -> None:
        bar.reset(total=total)

    try:
        report = build_index(
            articles,
            settings.index_dir,
            settings.resolved_model_path(),
            rebuild=rebuild,
            progress=bar.update,
            on_total=on_total,
        )
    finally:
        bar.close()
    for where, why in report.skipped:
        typer.echo(f"warning: skipped {where}: {why}", err=True)
    state = "written" if report.written else "already up to date"
    rate = report.chunks_per_second  # a small folder builds at under 10 a second: "0 chunks/s" said nothing
    typer.echo(
        f"index {state}: {report.documents} documents, {report.chunks} chunks, {report.sentences} sentences "
        f"in {report.seconds:.1f} s ({rate:.{0 if rate >= 10 else 1}f} chunks/s) -> {settings.index_dir}\n"
        f"indexed {report.indexed}, unchanged {report.unchanged}, updated {report.updated}, "
        f"removed {report.removed}, skipped {len(report.skipped)}",
        err=True,
    )


def _load_bot(settings: Settings, build_default: bool):
    from bot.engine import Bot, ensure_index

    if build_default:

        def first_build(outdated: bool) -> None:
            if outdated:
                typer.echo("The index was built by an older version: updating it from the bundled articles.", err=True)
            else:
                typer.echo("No index yet: building it from the bundled articles (once).", err=True)
            _build(settings, settings.articles_dir)

        ensure_index(settings, first_build)
    return Bot.load(settings)


@app.command()
def ask(
    question: Annotated[
        Optional[str],
        typer.Argument(metavar="QUESTION", show_default=False, help="The question, in your own words."),
    ] = None,
    top_k: TopKOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as one JSON object (per line).")] = False,
    index: IndexOpt = None,
) -> None:
    """Answer QUESTION with quotes from the articles, then the disclaimer.

    With --json and no QUESTION: one question per stdin line, as text or as a JSON object
    {"question": ..., "history": [earlier questions, oldest first]}; one JSON answer per line.
    """
    settings = _settings(index)
    with errors_to_exit():
        if question is None and not as_json:
            raise typer.BadParameter("give a QUESTION, or use --json to read questions from stdin")
        if question is not None:
            from bot.engine import clean_question

            clean_question(question, settings.max_question_chars)  # fail fast, before loading anything
        bot = _load_bot(settings, build_default=index is None and settings.index_dir == default_index_dir())
        if question is not None:
            answer = bot.ask(question, top_k)
            if as_json:
                typer.echo(json.dumps(answer.to_dict(), ensure_ascii=False))
            else:
                from bot.terminal import print_answer

                print_answer(answer)
            return
        from bot.jsonlines import batch_line

        for raw in sys.stdin.buffer:
            typer.echo(json.dumps(batch_line(bot, raw, top_k), ensure_ascii=False))
            sys.stdout.flush()


@app.command()
def chat(top_k: TopKOpt = None, index: IndexOpt = None) -> None:
    """Talk with the articles: follow-up questions are read with the earlier ones. Ctrl-D ends."""
    from bot.chat import run_chat

    settings = _settings(index)
    with errors_to_exit():
        bot = _load_bot(settings, build_default=index is None and settings.index_dir == default_index_dir())
        run_chat(bot, top_k)


@app.command()
def sources(
    as_json: Annotated[bool, typer.Option("--json", help="Print the list as one JSON array.")] = False,
    index: IndexOpt = None,
) -> None:
    """List the articles the bot can quote from: title, publisher, date and id."""
    from bot.dates import date_in_words

    with errors_to_exit():
        docs = [{k: v for k, v in d.public().items() if k != "text"} for d in _reader(index).sources()]
    if as_json:
        typer.echo(json.dumps(docs, ensure_ascii=False))
        return
    for doc in docs:
        meta = " \u00b7 ".join(x for x in (doc["publisher"], date_in_words(doc["date"]), f"id: {doc['id']}") if x)
        typer.echo(f"{doc['title']}\n    {meta}")


def _reader(index: Path | None):  # noqa: ANN202
    """A bot over the stored articles only: no query encoder, so neither onnxruntime nor torch is loaded."""
    from bot.engine import Bot
    from index.reader import open_index

    settings = _settings(index)
    stored = open_index(settings.index_dir, model=settings.model_name, with_encoder=False)
    return Bot(stored, settings, encoder=None, reranker=None)  # type: ignore[arg-type]  # never asked


@app.command()
def source(
    source_id: Annotated[str, typer.Argument(metavar="ID", help="Article id, as cited in answers.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the article as JSON.")] = False,
    index: IndexOpt = None,
) -> None:
    """Show a stored (cleaned) article: the text that quotes' offsets point into."""
    with errors_to_exit():
        doc = _reader(index).source(source_id).public()
        if as_json:
            typer.echo(json.dumps(doc, ensure_ascii=False))
        else:
            meta = ", ".join(x for x in (doc["publisher"], doc["date"], doc["url"]) if x)
            typer.echo(f"{doc['title']}\n{meta}\n\n{doc['text']}")


@app.command("index")
def index_cmd(
    articles: Annotated[
        Optional[Path],
        typer.Option(
            "--articles",
            metavar="PATH",
            help="Folder (recursive) or file of articles [default: the bundled hair-loss articles].",
        ),
    ] = None,
    index: IndexOpt = None,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Re-embed everything instead of only what changed.")
    ] = False,
) -> None:
    """Build or update the index (.txt .md .html .pdf .jsonl), with progress."""
    settings = _settings(index)
    with errors_to_exit():
        try:
            _build(settings, articles or settings.articles_dir, rebuild)
        except OSError as exc:  # the index folder is a file, or not writable: one line, not a traceback
            raise IndexInvalid(f"cannot write an index at {settings.index_dir}: {exc.strerror or exc}") from None


@app.command()
def serve(
    host: Annotated[str, typer.Option(metavar="ADDRESS", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(metavar="PORT", min=0, max=65535, help="Port to listen on (0: any free one).")
    ] = 8000,
    index: IndexOpt = None,
) -> None:
    """Run the web chat page and JSON API (model and index load once, at start)."""
    # ONNX uses every core (threads 0; the cross-encoder as one single-threaded session per core): its calls are
    # one at a time, so one thread left the other core idle (4 clients over HTTP: 34 answers in 30 s, p99 4.9 s,
    # against 49 and 3.3 s).
    settings = _settings(index)
    with errors_to_exit():
        bot = _load_bot(settings, build_default=index is None and settings.index_dir == default_index_dir())
    import uvicorn

    from web.app import create_app

    try:
        uvicorn.run(create_app(settings, bot=bot), host=host, port=port, log_level="info", access_log=False)
    except SystemExit as exc:  # uvicorn's own code for a failed start is 3, which here means a bad index
        if exc.code in (0, None):
            raise
        reason = "the reason is above; often the port is in use"
        typer.echo(f"error: the server could not start on {host}:{port} ({reason})", err=True)
        raise typer.Exit(6) from None


@app.command("eval")
def eval_cmd(
    suite: Annotated[
        Optional[list[str]],
        typer.Option("--suite", metavar="NAME", help="Suite to run (repeatable) [default: every available one]."),
    ] = None,
    part: Annotated[str, typer.Option(metavar="PART", help="test (never fitted on), fit, or all.")] = "test",
    baselines: Annotated[bool, typer.Option("--baselines", help="Also score same-run baselines.")] = False,
    index: IndexOpt = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List every miss.")] = False,
) -> None:
    """Score retrieval, abstention and safety per suite in one table; exit 1 below the thresholds."""
    from bot.engine import Bot
    from bot.evaluate import THRESHOLDS, passed, run_suite, suite_index, table
    from bot.suites import SUITES, available

    if part not in PARTS:  # a typo would score no question and print PASS
        raise typer.BadParameter(f"{part!r} is not one of {', '.join(PARTS)}", param_hint="--part")
    settings = _settings(index)
    names = suite or available()
    unknown = [n for n in names if n not in SUITES]
    if unknown:
        raise typer.BadParameter(f"unknown suite {unknown[0]!r}; known: {', '.join(SUITES)}", param_hint="--suite")
    rows, misses = [], []
    with errors_to_exit():
        for name in names:
            spec = SUITES[name]()
            bot = Bot.load(replace(settings, index_dir=suite_index(spec, settings), cache_size=0))
            result = run_suite(bot, spec, part)
            rows.append(result.row())
            typer.echo(f"{name}: done ({len(result.ranks)} answerable)", err=True)
            misses += [f"{name}: {m}" for m in result.misses]
            if baselines and spec.articles != DEFAULT_ARTICLES:
                from bot.baselines import baseline_rows

                rows += baseline_rows(bot, spec, part)
            typer.echo(table(rows), err=True)  # so far: a long run shows its figures as it goes
    typer.echo(table(rows))
    if verbose and misses:
        typer.echo("\n" + "\n".join(misses))
    ok = passed(rows)
    floors = any(r["suite"] in THRESHOLDS for r in rows)
    typer.echo(("PASS" if ok else "FAIL") + ("" if floors else " (furniture, verbatim and history only: the floors in "
                                              "bot/evaluate.py apply to the test parts of hair-heldout(-e), safety-b)"))
    if not ok:
        raise typer.Exit(1)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
