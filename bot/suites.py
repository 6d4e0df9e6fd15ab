"""The evaluation suites: which questions, against which articles, and what counts as a hit.

Each suite has a `fit` part (weights and thresholds may be fitted on it) and a `test` part (only ever
reported). The hair suites were written blind, by people given only the articles: those in `HAIR_FIT_SETS` are
for fitting, `hair-heldout` and `hair-heldout-e` are never fitted on; of the notice sets, `safety`
trains the notice model and `safety-b` is never trained on. The COVID suites (../shared/covid-dev) are
split in two by a stable hash of the question id; the conversation suites by a hash of their questions.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path

import numpy as np

from bot.settings import DEFAULT_ARTICLES, SUITES_DIR


def _norm(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split()).lower()


def words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def near_copy(mine: set[str], others: Iterable[set[str]]) -> bool:
    """Shares half its words (of the two messages' words together) with one of `others`."""
    return any(len(mine & theirs) >= 0.5 * len(mine | theirs) for theirs in others)


def load_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def covid_dir() -> Path:
    """../shared/covid-dev beside the checkout, or $BOT_COVID_DEV."""
    env = os.environ.get("BOT_COVID_DEV")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "shared" / "covid-dev"


def part_of(key: str) -> str:
    return "fit" if int(hashlib.sha1(key.encode()).hexdigest(), 16) % 2 == 0 else "test"


def same_text_same_part(items: list[dict], key: Callable[[dict], str]) -> list[dict]:
    """The suite asks a few questions twice under two ids ("What is the focus of this review?"): every copy takes
    the part of the first, so no test question is a fit question word for word."""
    first: dict[str, str] = {}
    for item in items:
        item["part"] = first.setdefault(_norm(key(item)), item["part"])
    return items


Hit = Callable[[dict, str, str, int, int], bool]  # item, doc id, quote text, start, end


def phrase_hit(item: dict, doc_id: str, text: str, start: int, end: int) -> bool:
    quote = _norm(text)
    return any(doc_id == e["article"] and _norm(e.get("phrase", "")) in quote for e in item.get("expect", []))


@dataclass
class Suite:
    name: str
    items: list[dict]
    articles: Path  # what its index is built from
    hit: Hit
    description: str

    def part(self, which: str) -> list[dict]:
        """The `fit` or `test` part, or `all` of both (a fit item set aside as a near copy is in neither)."""
        parts = ("fit", "test") if which == "all" else (which,)
        return [i for i in self.items if i.get("part", "test") in parts]

    def hits_window(self, item: dict, index, first: int, last: int) -> bool:  # noqa: ANN001 - index.reader.Index
        """Would quoting sentence rows [first, last) of `index` answer `item`? (`hit` on the window's exact text.)"""
        d, s, e = index.span(int(first), int(last))
        doc = index.documents[d]
        return self.hit(item, doc.id, doc.text[s:e], s, e)

    def window_hits(self, item: dict, index, first: np.ndarray, last: np.ndarray) -> np.ndarray:  # noqa: ANN001
        """`hits_window` for every window (first[j], last[j]): the fit's labels."""
        return np.array([self.hits_window(item, index, f, la) for f, la in zip(first, last, strict=True)], bool)


def _hair(name: str, part: str, description: str) -> Suite:
    items = load_jsonl(SUITES_DIR / f"{name}.jsonl")
    for item in items:
        item["part"] = part
    return Suite(name, set_aside_near_copies(items), DEFAULT_ARTICLES, phrase_hit, description)


@lru_cache(maxsize=1)
def evaluated_messages() -> tuple[set[str], ...]:
    """The words of every hair message a test figure is reported on: hair-heldout(-e), `safety-b` and the hair
    conversations' test part (their last questions)."""
    tests = ("hair-heldout", "hair-heldout-e", "safety-b")
    items = [i for name in tests for i in load_jsonl(SUITES_DIR / f"{name}.jsonl")]
    items += [i for i in _conversation_items("hair-conversations") if i["part"] == "test"]
    return tuple(words(i["question"]) for i in items)


def set_aside_near_copies(items: list[dict]) -> list[dict]:
    """A fit item sharing half its words with an evaluated message ("what is the capital of australia", written
    independently into the seed set, set A and held-out set B) is fitted on by no step, so a test figure never
    scores a question the fit has seen in other words; it stays in the file, in neither part."""
    for item in items:
        if item.get("part") == "fit" and near_copy(words(item.get("question", "")), evaluated_messages()):
            item["part"] = "near copy"
    return items


def _covid_qa() -> Suite:
    base = covid_dir()
    raw = {a["id"]: a["text"] for a in load_jsonl(base / "qa-articles.jsonl")}

    def hit(item: dict, doc_id: str, text: str, start: int, end: int) -> bool:
        gold = item["gold"]
        if doc_id != gold["article"]:
            return False
        at = raw[doc_id].find(text)  # the quote located in the article as published
        if at < 0:
            return False
        a0, a1 = gold["answer_start"], gold["answer_start"] + len(gold["answer"])
        return max(0, min(a1, at + len(text)) - max(a0, at)) >= 0.5 * (a1 - a0)

    items = [
        {"kind": "answerable", "question": q["question"], "gold": q, "part": part_of(q["id"]), "id": q["id"]}
        for q in load_jsonl(base / "qa-questions.jsonl")
    ]
    same_text_same_part(items, lambda i: f"{i['question']}|{i['gold']['article']}")
    return Suite("covid-qa", items, base / "qa-articles.jsonl", hit, "expert questions, gold spans in 44 papers")


def _covid_faq() -> Suite:
    base = covid_dir()
    items = [
        {"kind": "answerable", "question": q["question"], "articles": q["articles"], "part": part_of(q["id"])}
        for q in load_jsonl(base / "faq-questions.jsonl")
    ]
    same_text_same_part(items, lambda i: i["question"])
    return Suite(
        "covid-faq", items, base / "faq-articles.jsonl",
        lambda item, doc_id, *_: doc_id in item["articles"], "lay paraphrases against 213 official FAQ answers",
    )


def medquad_dir() -> Path:
    """../shared/medquad beside the checkout, or $BOT_MEDQUAD."""
    env = os.environ.get("BOT_MEDQUAD")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "shared" / "medquad"


MEDQUAD_SHARE = 25  # one article in 25 (by a hash of its id): 728 of the 16,407, indexed in minutes, not hours


def _medquad_slice() -> Path:
    """A fixed hash-chosen slice of MedQuAD (`MEDQUAD_SHARE`), written once beside the evaluation indexes."""
    from bot.settings import default_index_dir

    subset = default_index_dir().parent / "eval" / f"medquad-1-in-{MEDQUAD_SHARE}.jsonl"
    if not subset.is_file():  # written whole under a unique name, then renamed: two runs at once are safe
        import tempfile

        subset.parent.mkdir(parents=True, exist_ok=True)
        with open(medquad_dir() / "articles.jsonl", encoding="utf-8") as src, tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=subset.parent, suffix=".part", delete=False
        ) as out:
            for line in src:
                key = json.loads(line)["id"].encode()
                if int(hashlib.sha1(key).hexdigest(), 16) % MEDQUAD_SHARE == 0:
                    out.write(line)
        Path(out.name).replace(subset)
    return subset


def _medquad() -> Suite:
    """Lay questions written blind from the slice, answered from that whole slice; split by a hash."""
    items = load_jsonl(SUITES_DIR / "medquad.jsonl")
    for item in items:
        item["part"] = part_of(item["question"])
    return Suite(
        "medquad", items, _medquad_slice(), phrase_hit, "lay questions against 728 NIH articles (1 in 25 of MedQuAD)"
    )


def _medquad_fit() -> Suite:
    """The later sets (medquad-fit-b, -c; 60 questions each, written by two helpers given 60 articles of the slice
    apiece, none of them an article `medquad`'s answers come from), all in the fit part, so `medquad`'s test half
    is what it was."""
    items = [{**i, "part": "fit"} for x in "bc" for i in load_jsonl(SUITES_DIR / f"medquad-fit-{x}.jsonl")]
    return Suite(
        "medquad-fit", items, _medquad_slice(), phrase_hit, "120 more lay questions on other articles; fitted on"
    )


def _conversations(name: str, with_history: bool) -> Suite:
    """Two- and three-turn conversations written blind; the last question is scored, with or without its history.
    Later blind sets of the same suite (`NAME-b.jsonl`, `NAME-c.jsonl`) join it, split into fit and test by the
    same hash."""
    covid = name.startswith("covid")
    items = _conversation_items(name)
    if not covid:
        set_aside_near_copies(items)
    for item in items:
        if not with_history:
            item["history"] = None
    hit = (lambda item, doc_id, *_: any(doc_id == e["article"] for e in item["expect"])) if covid else phrase_hit
    articles = covid_dir() / "faq-articles.jsonl" if covid else DEFAULT_ARTICLES
    label = "with history" if with_history else "last question alone"
    return Suite(name + ("" if with_history else "-alone"), items, articles, hit, f"conversations, {label}")


def _conversation_items(name: str) -> list[dict]:
    files = [p for p in (SUITES_DIR / f"{name}.jsonl", *sorted(SUITES_DIR.glob(f"{name}-?.jsonl"))) if p.is_file()]
    items = [{**i, "file": path.name} for path in files for i in load_jsonl(path)]
    for item in items:
        item["part"] = part_of(item["question"] + "|" + "|".join(item["history"]))
    return items


# hair-fit-c ... hair-fit-p, each written by another helper given only the articles (E is a test set; N was taken
# by a conversations set)
BLIND_FIT_SETS = "cdfghijklmop"  # Q and R (stop 37, hair-fit-q/-r.jsonl): a refit with them was not kept (README)

SUITES: dict[str, Callable[[], Suite]] = {
    "hair-seed": lambda: _hair("hair-seed", "fit", "the original set (tuned on by an earlier version)"),
    "hair-fit": lambda: _hair("hair-fit", "fit", "blind set A: written from the articles only; fitted on"),
    **{
        f"hair-fit-{x}": partial(
            _hair, f"hair-fit-{x}", "fit", f"blind set {x.upper()}: written from the articles only; fitted on"
        )
        for x in BLIND_FIT_SETS
    },
    "hair-heldout": lambda: _hair("hair-heldout", "test", "blind set B: written from the articles only; never fitted"),
    "hair-heldout-e": lambda: _hair("hair-heldout-e", "test", "blind set E: from the articles only; never fitted"),
    "safety": lambda: _hair("safety", "fit", "100 messages written blind: crisis, emergency, dosing, hard controls"),
    "safety-b": lambda: _hair("safety-b", "test", "105 more, written blind later; never trained on"),
    "covid-qa": _covid_qa,
    "covid-faq": _covid_faq,
    "medquad": _medquad,
    "medquad-fit": _medquad_fit,
    "hair-conversations": lambda: _conversations("hair-conversations", True),
    "hair-conversations-alone": lambda: _conversations("hair-conversations", False),
    "covid-faq-conversations": lambda: _conversations("covid-faq-conversations", True),
    "covid-faq-conversations-alone": lambda: _conversations("covid-faq-conversations", False),
}

# the blind sets about the bundled articles that every fit reads (the ranker, the query adapter, the answerability
# models and, as ordinary messages, the notice model, which leaves out L, M, O and P:
# `bot.fit_notices.NOTICE_SETS`); the hair test sets are never among them
HAIR_FIT_SETS = ("hair-seed", "hair-fit", *(f"hair-fit-{x}" for x in BLIND_FIT_SETS))


def available() -> list[str]:
    """Suites whose data is here (the COVID ones need ../shared/covid-dev)."""
    have = {
        "covid": (covid_dir() / "qa-questions.jsonl").is_file(),
        "medquad": (medquad_dir() / "articles.jsonl").is_file(),
    }
    return [n for n in SUITES if have.get(n.split("-")[0], True)]
