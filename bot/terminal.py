"""An answer in the terminal (`bot ask`, `bot chat`): notices first, then quotes, notes, the disclaimer.

Same order and words as the web page (see `bot.present`). Colour and bold go through typer, which drops
them when the output is not a terminal, so piped output is plain text.
"""

from __future__ import annotations

import shutil
import textwrap

import typer

from bot.answer import Answer
from bot.conversation import shorten
from bot.present import citation, focus_parts, missing_line, notices

COLOURS = {"crisis": "red", "emergency": "red", "dosing": "blue", "language": "blue"}


def _width() -> int:
    return max(40, min(88, shutil.get_terminal_size((88, 24)).columns) - 2)


def _boxed(title: str, text: str, colour: str) -> None:
    """One notice in its own frame, so two notices never read as one paragraph."""
    inner = _width() - 4
    lines = textwrap.wrap(f"{title} {text}", inner)
    typer.secho("\u250c" + "\u2500" * (inner + 2) + "\u2510", fg=colour, bold=True)
    for line in lines:
        typer.secho(f"\u2502 {line.ljust(inner)} \u2502", fg=colour, bold=True)
    typer.secho("\u2514" + "\u2500" * (inner + 2) + "\u2518", fg=colour, bold=True)


def print_answer(answer: Answer, history: list[str] | None = None) -> None:
    """`history` is what `answer.context_from` points into (the questions sent with this one)."""
    shown = notices(answer)
    for notice in shown:
        _boxed(notice.title, notice.text, COLOURS.get(notice.kind, "yellow"))
    if shown:
        typer.echo()
    i = answer.context_from
    if history and i is not None and 0 <= i < len(history):
        typer.secho(f"Answering about: {shorten(history[i])}\u2026", dim=True)
    if not answer.answered and answer.message:
        typer.echo(answer.message)
    if line := missing_line(answer):
        typer.echo(f"{line}.")
    for n, quote in enumerate(answer.quotes, start=1):
        text = "".join(typer.style(part, bold=True) if focus else part for part, focus in focus_parts(quote))
        typer.echo(f"\n[{n}] \u201c{text}\u201d")
        typer.secho(f"    \u2014 {citation(quote)} (source: {quote.source.id})", dim=True)
    if not answer.answered:
        typer.echo("You could ask again in other words; `bot sources` lists the articles I can quote from.")
    if answer.notes:
        typer.echo()
        for note in answer.notes:
            typer.secho(f"Note: {note}", fg="yellow")
    typer.echo(f"\n{answer.disclaimer}")
