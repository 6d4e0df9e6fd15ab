"""Shared fixtures: one real index of the bundled articles, built once per test run."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.settings import DEFAULT_ARTICLES, Settings
from tests.serving import bot_command

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory) -> Path:
    """The real index (real model, real FAISS, real BM25) of the five bundled articles."""
    from index.build import build_index
    from index.encoders import bundled_model_path

    path = tmp_path_factory.mktemp("index")
    build_index(DEFAULT_ARTICLES, path, bundled_model_path())
    return path


@pytest.fixture(scope="session")
def settings(index_dir) -> Settings:
    return Settings(index_dir=index_dir)


@pytest.fixture(scope="session")
def bot(settings):
    from bot.engine import Bot

    return Bot.load(settings)


@pytest.fixture
def index_copy(index_dir, tmp_path) -> Path:
    """A private copy of the real index that a test may damage."""
    target = tmp_path / "index"
    shutil.copytree(index_dir, target, ignore=shutil.ignore_patterns(".lock"))
    return target


def run_bot(*args: str, input: bytes | str | None = None, timeout: float = 120, env: dict | None = None):
    """Run the installed `bot` console script as a user would."""
    data = input.encode() if isinstance(input, str) else input
    full_env = {**os.environ, "HF_HUB_OFFLINE": "1", **(env or {})}
    cmd = [*bot_command(), *args]
    return subprocess.run(cmd, input=data, capture_output=True, timeout=timeout, env=full_env, cwd=ROOT)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for every browser test."""
    from playwright.sync_api import sync_playwright

    from tests.browsing import CHROMIUM_ARGS

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
