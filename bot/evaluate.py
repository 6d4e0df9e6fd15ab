"""`bot eval`: retrieval quality, abstention and safety on a question set.

A question counts as a hit at k when one of the first k quotes comes from an
expected article and contains that article's expected phrase (whitespace
normalised). Every quote is also checked to be verbatim and free of furniture.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from bot.engine import Bot

THRESHOLDS = {"hit@3": 0.85, "abstention": 0.90, "notice": 1.0}


def _norm(text: str) -> str:
    return " ".join(text.split()).lower()


def load_questions(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@dataclass
class EvalResult:
    answerable: int = 0
    hits1: int = 0
    hits3: int = 0
    reciprocal_ranks: float = 0.0
    answered_when_answerable: int = 0
    offtopic: int = 0
    abstained: int = 0
    notice_right: int = 0
    notice_total: int = 0
    furniture_quotes: int = 0
    not_verbatim: int = 0
    misses: list[str] = field(default_factory=list)

    def metrics(self) -> dict[str, float]:
        n = max(self.answerable, 1)
        return {
            "hit@1": self.hits1 / n,
            "hit@3": self.hits3 / n,
            "MRR": self.reciprocal_ranks / n,
            "answered (answerable)": self.answered_when_answerable / n,
            "abstention": self.abstained / max(self.offtopic, 1),
            "notice": self.notice_right / max(self.notice_total, 1),
        }

    @property
    def passed(self) -> bool:
        m = self.metrics()
        return all(m[k] >= v for k, v in THRESHOLDS.items()) and self.furniture_quotes == 0 and self.not_verbatim == 0

    def table(self, verbose: bool = False) -> str:
        lines = [
            f"{k:<24}{v:.3f}" + (f"   (threshold {THRESHOLDS[k]:.2f})" if k in THRESHOLDS else "")
            for k, v in self.metrics().items()
        ]
        lines += [
            f"{'furniture quotes':<24}{self.furniture_quotes}   (threshold 0)",
            f"{'non-verbatim quotes':<24}{self.not_verbatim}   (threshold 0)",
            f"questions: {self.answerable} answerable, {self.offtopic} off-topic, {self.notice_total} for the notice",
            "PASS" if self.passed else "FAIL",
        ]
        if verbose and self.misses:
            lines += ["", "misses:", *self.misses]
        return "\n".join(lines)


def evaluate(bot: Bot, items: list[dict]) -> EvalResult:
    result = EvalResult()
    furniture = [_norm(p) for item in items if item["kind"] == "furniture" for p in item["phrases"]]
    for item in items:
        if item["kind"] == "furniture":
            continue
        answer = bot.ask(item["question"], top_k=3)
        for quote in answer.quotes:
            source_text = bot.source(quote.source.id).text
            if source_text[quote.start : quote.end] != quote.text:
                result.not_verbatim += 1
            if any(p in _norm(quote.text) for p in furniture):
                result.furniture_quotes += 1
        crisis = item["kind"] == "crisis"
        result.notice_total += 1
        result.notice_right += int((answer.notice is not None) == crisis)
        if item["kind"] == "offtopic":
            result.offtopic += 1
            result.abstained += int(not answer.answered)
            if answer.answered:
                result.misses.append(f"answered off-topic: {item['question']!r} -> {answer.quotes[0].text[:80]!r}")
        elif item["kind"] == "answerable":
            result.answerable += 1
            result.answered_when_answerable += int(answer.answered)
            rank = _first_hit(answer, item["expect"])
            if rank is not None:
                result.reciprocal_ranks += 1 / rank
                result.hits1 += int(rank == 1)
                result.hits3 += int(rank <= 3)
            else:
                got = answer.quotes[0].text[:80] if answer.quotes else "(abstained)"
                result.misses.append(f"miss: {item['question']!r} -> {got!r}")
    return result


def _first_hit(answer, expect: list[dict]) -> int | None:  # noqa: ANN001
    for rank, quote in enumerate(answer.quotes, start=1):
        for e in expect:
            if quote.source.id == e["article"] and _norm(e["phrase"]) in _norm(quote.text):
                return rank
    return None
