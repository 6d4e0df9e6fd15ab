"""`bot chat`: a conversation in the terminal, each question read with the ones before it.

`readline` gives line editing and Up-arrow recall of this session's questions; nothing is written to a
history file, because patients' questions are private. Ctrl-D, "exit", "quit" or "bye" ends; Ctrl-C drops the
line being typed, as in a shell.
"""

from __future__ import annotations

from collections.abc import Callable

import typer

from bot.conversation import recent
from bot.engine import Bot
from bot.terminal import print_answer
from index.errors import InvalidQuestion

PROMPT = "\nYou: "
ENDS = {"exit", "quit", "bye"}


def _readline() -> None:
    try:
        import readline  # noqa: F401 - importing it is what makes input() editable
    except ImportError:  # not every Python is built with it; input() still works, only without editing
        pass


def run_chat(bot: Bot, top_k: int | None = None, read: Callable[[str], str] = input) -> None:
    """Ask, answer, repeat, until end of input. The conversation lives only in this process."""
    _readline()
    typer.echo(
        "Ask about the articles; follow-up questions are read with the earlier ones. "
        'Ctrl-D or "exit" ends the conversation.'
    )
    asked: list[str] = []
    while True:
        try:
            line = read(PROMPT)
        except EOFError:
            typer.echo()
            return
        except KeyboardInterrupt:
            typer.echo()
            continue
        if not line.strip():
            continue
        if line.strip().lower() in ENDS:
            return
        history = recent(asked, bot.settings)
        try:
            answer = bot.ask(line, top_k, history)
        except InvalidQuestion as exc:
            typer.echo(f"error: {exc}", err=True)
            continue
        except KeyboardInterrupt:  # Ctrl-C while it answers drops that answer, not the conversation
            typer.echo("\n(answer cancelled)")
            continue
        print_answer(answer, history)
        asked.append(line)
