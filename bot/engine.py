"""The one `ask()` that the CLI, the JSON API and the web page all call."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable

from bot.answer import NOT_FOUND, SAFETY_NOTICE, Answer, Quote, SourceRef
from bot.quotes import best_windows, select
from bot.retrieve import hybrid_search
from bot.safety import signals_crisis
from bot.settings import Settings
from index.clean import page_at
from index.errors import IndexMissing, InvalidQuestion, SourceNotFound
from index.reader import END, START, Index, open_index
from index.store import Document, current_build

CANDIDATE_CHUNKS = 8
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_question(question: object, max_chars: int) -> str:
    """Validate a question; the error message is safe to show to the person who typed it."""
    if not isinstance(question, str):
        raise InvalidQuestion("the question must be text")
    text = CONTROL.sub(" ", question).strip()
    if not text:
        raise InvalidQuestion("the question is empty: please type a question")
    if len(text) > max_chars:
        raise InvalidQuestion(f"the question is too long ({len(text)} characters; the limit is {max_chars})")
    return text


class Bot:
    """A loaded index plus its query encoder; load once, ask many times (thread-safe)."""

    def __init__(self, index: Index, settings: Settings) -> None:
        self.index = index
        self.settings = settings
        self._cache: OrderedDict[tuple, Answer] = OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def load(cls, settings: Settings) -> Bot:
        torch = settings.query_encoder == "torch"
        index = open_index(
            settings.index_dir, model=settings.model_name, with_encoder=not torch, threads=settings.threads
        )
        if torch:
            from index.encoders import SentenceTransformerEncoder

            index.encoder = SentenceTransformerEncoder(settings.resolved_model_path())
        return cls(index, settings)

    @property
    def version(self) -> str:
        return self.index.version

    def ask(self, question: str, top_k: int | None = None) -> Answer:
        """Quotes that answer `question`, or an abstention; always with the disclaimer."""
        text = clean_question(question, self.settings.max_question_chars)
        k = top_k if top_k is not None else self.settings.top_k
        if not 1 <= k <= self.settings.max_top_k:
            raise InvalidQuestion(f"top_k must be between 1 and {self.settings.max_top_k}")
        key = (" ".join(text.lower().split()), k)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
        if cached is None:
            cached = self._answer(text, k)
            with self._lock:
                self._cache[key] = cached
                while len(self._cache) > self.settings.cache_size:
                    self._cache.popitem(last=False)
        # the question is echoed as asked; the cached quotes are shared
        return Answer(
            question=question,
            answered=cached.answered,
            quotes=cached.quotes,
            notice=cached.notice,
            message=cached.message,
        )

    def _answer(self, text: str, k: int) -> Answer:
        qvec = self.index.encoder.encode([text])[0]
        candidates = hybrid_search(self.index, text, qvec, keep=max(CANDIDATE_CHUNKS, 2 * k))
        windows = select(self.index, best_windows(self.index, qvec, candidates, k), k, self.settings.min_relevance)
        quotes = [self._quote(w.doc, w.first, w.last, w.rank) for w in windows]
        notice = SAFETY_NOTICE if signals_crisis(text) else None
        return Answer(text, bool(quotes), quotes, notice=notice, message=None if quotes else NOT_FOUND)

    def _quote(self, doc_row: int, first: int, last: int, score: float) -> Quote:
        doc = self.index.documents[doc_row]
        start, end = int(self.index.sentences[first, START]), int(self.index.sentences[last - 1, END])
        ref = SourceRef(doc.id, doc.title, doc.publisher, doc.date, doc.url)
        return Quote(doc.text[start:end], round(score, 4), start, end, ref, page_at(doc.text, start))

    def source(self, source_id: str) -> Document:
        row = self.index.by_id.get(source_id)
        if row is None:
            raise SourceNotFound(f"no article with id {source_id!r}")
        return self.index.documents[row]


def ensure_index(settings: Settings, on_build: Callable[[], object] | None = None) -> None:
    """Build the default corpus's index on first use; any other missing index is an error."""
    try:
        current_build(settings.index_dir)
    except IndexMissing:
        if on_build is None:
            raise
        on_build()
