"""`bot chat` in a real pseudo-terminal (two turns, then Ctrl-D), and its loop when Ctrl-C lands mid-answer."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import time

import pytest

from tests.conftest import ROOT
from tests.serving import bot_command

FIRST = "Does ruxolitinib make hair grow back?"
FOLLOW_UP = "how long did they take it for?"  # leans on FIRST; quoted from its articles


class Terminal:
    """`bot chat` on the slave side of a pty; what it prints is read from the master side."""

    def __init__(self, *args: str) -> None:
        self.master, slave = pty.openpty()
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "TERM": "xterm", "COLUMNS": "100"}
        self.proc = subprocess.Popen(
            [*bot_command(), "chat", *args], stdin=slave, stdout=slave, stderr=slave, env=env, cwd=ROOT
        )
        os.close(slave)
        self.out = b""

    def read_until(self, marker: bytes, count: int, timeout: float = 120) -> str:
        """Read until `marker` has appeared `count` times in everything printed so far."""
        deadline = time.monotonic() + timeout
        while self.out.count(marker) < count:
            left = deadline - time.monotonic()
            assert left > 0, f"timed out waiting for {marker!r}; got:\n{self.out.decode(errors='replace')}"
            ready, _, _ = select.select([self.master], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:  # the child closed the terminal
                    break
                self.out += chunk
        return self.out.decode(errors="replace")

    def type(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def close(self) -> int:
        code = self.proc.wait(30)
        os.close(self.master)
        return code


def test_chat_answers_a_two_turn_conversation_and_ends_on_ctrl_d(index_dir):
    term = Terminal("--index", str(index_dir))
    try:
        term.read_until(b"You: ", 1)
        term.type(FIRST.encode() + b"\r")  # Enter, as a terminal sends it
        term.read_until(b"You: ", 2)
        term.type(FOLLOW_UP.encode() + b"\r")
        text = term.read_until(b"You: ", 3)
        term.type(b"\x04")  # Ctrl-D on an empty line
        code = term.close()
    finally:
        if term.proc.poll() is None:
            term.proc.kill()
    assert code == 0, text
    turns = text.split("You: ")
    assert len(turns) >= 4 and "Traceback" not in text
    for turn in turns[1:3]:
        assert "[1] \u201c" in turn and "not medical advice" in turn  # each turn quoted and disclaimed
        assert "characters" not in turn and " (source: " in turn


def test_chat_skips_blank_lines_and_ends_on_exit(index_dir):
    term = Terminal("--index", str(index_dir))
    try:
        term.read_until(b"You: ", 1)
        term.type(b"   \r")  # a blank line: just a new prompt, no error, no answer
        text = term.read_until(b"You: ", 2)
        term.type(b"exit\r")
        code = term.close()
    finally:
        if term.proc.poll() is None:
            term.proc.kill()
    assert code == 0 and "error" not in text and "[1]" not in text


def test_ctrl_c_while_it_answers_drops_that_answer_not_the_conversation(capsys):
    """The chat loop itself, with a stand-in bot whose first answer is interrupted: in a pty the Ctrl-C can land
    while readline still holds the line (the prompt's own Ctrl-C), so the timing is not the test's to choose."""
    from bot.answer import Answer
    from bot.chat import run_chat
    from bot.settings import Settings

    class Interrupted:
        settings = Settings()
        asked: list[tuple[str, list[str]]] = []

        def ask(self, question: str, top_k: int | None, history: list[str]) -> Answer:
            self.asked.append((question, history))
            if question == FIRST:
                raise KeyboardInterrupt  # Ctrl-C while this answer is being worked out
            return Answer(question, False, message="I could not find this in the articles.")

    lines = iter([FIRST, "What causes alopecia areata?"])

    def read(prompt: str) -> str:
        try:
            return next(lines)
        except StopIteration:
            raise EOFError from None

    bot = Interrupted()
    try:
        run_chat(bot, read=read)  # returns at end of input
    except KeyboardInterrupt:
        pytest.fail("Ctrl-C during an answer ended the conversation")
    assert "(answer cancelled)" in capsys.readouterr().out
    assert bot.asked == [(FIRST, []), ("What causes alopecia areata?", [])]  # the cancelled question is no history
