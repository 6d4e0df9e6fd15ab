"""`bot`: ask, source, index, serve, eval. Parses input, calls the core, formats output."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Optional

import typer

from bot.settings import Settings, default_index_dir
from index.errors import BotError

app = typer.Typer(
    help="Answer patient questions with verbatim, cited quotes from your articles.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
IndexOpt = Annotated[
    Optional[Path], typer.Option("--index", help="Index folder [default: ~/.cache/patient-quote-bot/index].")
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
    typer.echo(
        f"index {state}: {report.documents} documents, {report.chunks} chunks, {report.sentences} sentences "
        f"in {report.seconds:.1f} s ({report.chunks_per_second:.0f} chunks/s) -> {settings.index_dir}\n"
        f"indexed {report.indexed}, unchanged {report.unchanged}, updated {report.updated}, "
        f"removed {report.removed}, skipped {len(report.skipped)}",
        err=True,
    )


def _load_bot(settings: Settings, build_default: bool):
    from bot.engine import Bot, ensure_index

    if build_default:

        def first_build() -> None:
            typer.echo("No index yet: building it from the bundled articles (once).", err=True)
            _build(settings, settings.articles_dir)

        ensure_index(settings, first_build)
    return Bot.load(settings)


def _print_answer(answer) -> None:  # noqa: ANN001
    if answer.notice:
        typer.secho(f"\n!! {answer.notice}\n", fg="red", bold=True)
    if not answer.answered:
        typer.echo(answer.message)
    for n, quote in enumerate(answer.quotes, start=1):
        src = quote.source
        page = f"page {quote.page}" if quote.page else None
        cite = ", ".join(x for x in (src.title, src.publisher, src.date, page) if x)
        typer.echo(f"\n[{n}] \u201c{quote.text}\u201d")
        typer.secho(f"    \u2014 {cite} (source: {src.id}, characters {quote.start}-{quote.end})", dim=True)
    typer.echo(f"\n{answer.disclaimer}")


@app.command()
def ask(
    question: Annotated[
        Optional[str], typer.Argument(help="The question. With --json and none given: one per line on stdin.")
    ] = None,
    top_k: Annotated[int, typer.Option("--top-k", min=1, max=10, help="Most quotes to return.")] = 3,
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as one JSON object (per line).")] = False,
    index: IndexOpt = None,
) -> None:
    """Answer QUESTION with quotes from the articles, then the disclaimer."""
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
                _print_answer(answer)
            return
        for raw in sys.stdin.buffer:
            typer.echo(json.dumps(_batch_line(bot, raw, top_k), ensure_ascii=False))
            sys.stdout.flush()


def _batch_line(bot, raw: bytes, top_k: int) -> dict:  # noqa: ANN001
    """One stdin line -> one output object; a bad line is reported and the batch goes on."""
    line = raw.rstrip(b"\r\n")
    try:
        question = line.decode("utf-8")
    except UnicodeDecodeError:
        return {"question": line.decode("utf-8", errors="replace"), "error": "the line is not valid UTF-8 text"}
    try:
        return bot.ask(question, top_k).to_dict()
    except BotError as exc:
        return {"question": question, "error": str(exc)}


@app.command()
def source(
    source_id: Annotated[str, typer.Argument(metavar="ID", help="Article id, as cited in answers.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the article as JSON.")] = False,
    index: IndexOpt = None,
) -> None:
    """Show a stored (cleaned) article: the text that quotes' offsets point into."""
    from bot.engine import Bot
    from index.reader import open_index

    settings = _settings(index)
    with errors_to_exit():
        # no query encoder: showing an article needs neither onnxruntime nor torch
        bot = Bot(open_index(settings.index_dir, model=settings.model_name, with_encoder=False), settings)
        doc = bot.source(source_id).public()
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
            "--articles", help="Folder (recursive) or file of articles [default: the bundled hair-loss articles]."
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
        _build(settings, articles or settings.articles_dir, rebuild)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    index: IndexOpt = None,
) -> None:
    """Run the web chat page and JSON API (model and index load once, at start)."""
    settings = _settings(index)
    if settings.threads == 0:  # measured: one ONNX thread per batch leaves the other core to HTTP and Python
        settings = replace(settings, threads=1)
    with errors_to_exit():
        bot = _load_bot(settings, build_default=index is None and settings.index_dir == default_index_dir())
    import uvicorn

    from web.app import create_app

    uvicorn.run(create_app(settings, bot=bot), host=host, port=port, log_level="info", access_log=False)


@app.command("eval")
def eval_cmd(
    questions: Annotated[
        Optional[Path], typer.Option("--questions", help="Question set (JSON lines) [default: the bundled set].")
    ] = None,
    index: IndexOpt = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List every miss.")] = False,
) -> None:
    """Score retrieval, abstention and safety on a question set; exit 1 below the thresholds."""
    from bot.evaluate import evaluate, load_questions

    settings = _settings(index)
    with errors_to_exit():
        bot = _load_bot(settings, build_default=index is None and settings.index_dir == default_index_dir())
        result = evaluate(bot, load_questions(questions or settings_eval_path()))
    typer.echo(result.table(verbose))
    if not result.passed:
        raise typer.Exit(1)


def settings_eval_path() -> Path:
    from bot.settings import EVAL_SET

    return EVAL_SET


def main() -> None:
    app()


if __name__ == "__main__":
    main()
