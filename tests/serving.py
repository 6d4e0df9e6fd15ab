"""The real `bot serve` on a free 127.0.0.1 port, and wrk against it (tests, benchmark, load test)."""

from __future__ import annotations

import itertools
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bot_command() -> list[str]:
    """The `bot` console script of the interpreter running the tests (the project virtualenv's), not PATH's."""
    exe = Path(sys.executable).with_name("bot")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "bot.cli"]


@contextmanager
def served(index_dir: Path, env: dict | None = None, log_path: Path | None = None, timeout: float = 60):
    """`bot serve --index DIR` on 127.0.0.1; yields the base URL, stops the server after."""
    port = free_port()
    cmd = bot_command()
    log = open(log_path, "wb") if log_path else subprocess.DEVNULL
    proc = subprocess.Popen(
        [*cmd, "serve", "--host", "127.0.0.1", "--port", str(port), "--index", str(index_dir)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "HF_HUB_OFFLINE": "1", **(env or {})},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"bot serve exited with {proc.returncode}")
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield base, proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        if log_path:
            log.close()


WRK_LUA = """
local questions = {%s}
local counter = 0
request = function()
  counter = counter + 1
  local q = questions[(counter %% #questions) + 1]
  if UNIQUE then q = q .. " " .. (RUN + counter) end
  return wrk.format("POST", "/api/ask", {["Content-Type"] = "application/json"}, '{"question": "' .. q .. '"}')
end
"""


_RUNS = itertools.count()


def wrk(base: str, connections: int, seconds: int, qs: list[str], unique: bool = False) -> dict:
    script = WRK_LUA % ", ".join(json.dumps(q) for q in qs)
    # each run numbers its questions from its own start, so a second run against the same server (the load
    # test's measured run after its warm-up) asks nothing the answer cache already holds
    script = f"UNIQUE = {'true' if unique else 'false'}\nRUN = {next(_RUNS) * 1_000_000}\n" + script
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(script)
    threads = 1  # one wrk thread: the load generator shares these 2 cores with the server
    out = subprocess.run(
        ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s", "--latency",
         "-s", fh.name, base],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    os.unlink(fh.name)

    def ms(label: str) -> float:
        m = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    total = int(re.search(r"(\d+) requests in", out).group(1))
    errors = (int(non2xx.group(1)) if non2xx else 0) + (sum(map(int, sockets.groups())) if sockets else 0)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": ms("50%"),
        "p99": ms("99%"),
        "errors": errors,
        "requests": total,
    }


@dataclass
class Memory:
    """What `sampled_rss` saw while its block ran: peak and median RSS in MB (filled when the block ends)."""

    peak: float = 0.0
    median: float = 0.0


@contextmanager
def sampled_rss(proc: subprocess.Popen, every_s: float = 0.25):
    """Sample the server's RSS while the block runs; fails if the server died during it.

    One reading is noise: each answer holds its activations for a moment, so a single sample before and after
    swung by +-10% with no leak at all (seen with batched cross-encoder calls: 550-660 MB over 150 s of steady
    load). The peak over a phase sees every kind of answer many times; a leak raises it from one phase to the next.
    """
    samples: list[float] = []
    done = threading.Event()

    def sample() -> None:
        while not done.wait(every_s) and proc.poll() is None:
            samples.append(rss_mb(proc.pid))

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    memory = Memory()
    try:
        yield memory
    finally:
        done.set()
        thread.join()
    if proc.poll() is not None:
        raise RuntimeError(f"bot serve exited with {proc.returncode} under load")
    samples = samples or [rss_mb(proc.pid)]
    memory.peak, memory.median = max(samples), statistics.median(samples)


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024
