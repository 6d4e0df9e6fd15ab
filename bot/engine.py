"""The one `ask()` that the CLI, the JSON API and the web page all call."""

from __future__ import annotations

import datetime
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from itertools import zip_longest

import numpy as np

from bot.answer import CRISIS_WITHHELD, NOTICES, Answer, Quote, SourceRef
from bot.batching import BatchingEncoder
from bot.dates import age_note
from bot.decide import CRISIS_CONFIDENCE, Ranked, Verdict, concept_checker, decide, looks_english, not_found_message
from bot.features import FEATURES, candidate_windows
from bot.notice_model import NOTICE_MODEL_FILE, NoticeModel
from bot.questions import FOLLOW_UP_START, asked, context_for, questions_in
from bot.quotes import Window, select
from bot.ranker import RANKER_FILE, Ranker, passage, score
from bot.retrieve import hybrid_search
from bot.safety import notices_for
from bot.settings import Settings
from index.clean import page_at
from index.encoders import Encoder
from index.errors import IndexInvalid, IndexMissing, InvalidQuestion, SourceNotFound
from index.reader import DOC, END, START, Index, open_index
from index.rerank import CrossEncoder, Reranker, bundled_reranker_path, models_record
from index.store import FORMAT_VERSION, Document, build_format, current_build, rebuild_hint
from index.vocab import words_of

OWN_TOPIC_ZIPF = 3.0  # rarer in English, and the articles use it: a topic of its own (fit half: ties 2.5-3.5)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def is_text(value: str) -> bool:
    """Can it be written out as UTF-8? A lone surrogate ("\\udcff" in JSON, an undecodable byte in argv) cannot, and
    breaks the models."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def clean_question(question: object, max_chars: int) -> str:
    """Validate a question; the error message is safe to show to the person who typed it."""
    if not isinstance(question, str):
        raise InvalidQuestion("the question must be text")
    text = CONTROL.sub(" ", question).strip()
    if not is_text(text):
        raise InvalidQuestion("the question holds a character that is not valid text: please type it again")
    if not text:
        raise InvalidQuestion("the question is empty: please type a question")
    if len(text) > max_chars:
        raise InvalidQuestion(f"the question is too long ({len(text)} characters; the limit is {max_chars})")
    return text


def check_reranker(index: Index, reranker: CrossEncoder, index_dir: object) -> None:
    """The ranker's weights were fitted with the cross-encoder the manifest names; refuse another one."""
    recorded = index.manifest.get("models", {}).get("reranker", {}).get("xxh3_128")
    found = models_record(reranker.model_dir)["reranker"]["xxh3_128"]
    if recorded != found:
        raise IndexInvalid(
            f"index at {index_dir} names another cross-encoder than the one installed; {rebuild_hint(index_dir)}"
        )


def clean_history(history: object, settings: Settings) -> list[str]:
    """Validate earlier questions like the question itself; at most `settings.max_history` are allowed.
    The message names the faulty item ("history[2]: the question is empty"), for every face alike."""
    if history is None:
        return []
    if not isinstance(history, list):
        raise InvalidQuestion("history must be a list of earlier questions (text), oldest first")
    if len(history) > settings.max_history:
        raise InvalidQuestion(
            f"history holds at most {settings.max_history} earlier questions; {len(history)} were sent"
        )
    cleaned = []
    for i, item in enumerate(history):
        try:
            cleaned.append(clean_question(item, settings.max_question_chars))
        except InvalidQuestion as exc:
            raise InvalidQuestion(f"history[{i}]: {exc}") from None
    return cleaned


class Bot:
    """A loaded index with its query encoder, cross-encoder, notice encoder and fitted ranker; load once, ask
    many times.

    The bot owns its models: nothing else assigns them. Thread-safe.
    """

    def __init__(
        self,
        index: Index,
        settings: Settings,
        encoder: Encoder,
        reranker: Reranker,
        ranker: Ranker | None = None,
        notices: tuple[NoticeModel, Encoder] | None = None,
    ) -> None:
        self.index = index
        self.settings = settings
        self.encoder = encoder
        self.reranker = reranker
        # the bundled articles have weights and a query adapter of their own (`bot.adapter`); any other folder not
        fitted = ranker or Ranker.load(settings.ranker_path or RANKER_FILE)
        self.ranker = fitted.for_index(index.manifest)
        if self.ranker.routes is not None and notices is None:  # the routes read the notice encoder's vectors:
            self.ranker = fitted  # without it, weights fitted beside them would read "no route" everywhere
        self.checker = concept_checker(self.ranker, index.vocab)
        # the learned notices with the encoder they were fitted on (`NoticeModel.load_encoder`); without, patterns only
        self.notice_model, self.notice_encoder = notices or (None, None)
        own = (self.ranker.answer or {}).get("asked")
        if own is not None and notices is not None and own["classifier"].encoder_digest != notices[0].encoder_digest:
            raise ValueError("the neighbours' vote and the notice model read different encoders; refit both")
        routes = self.ranker.routes
        if routes is not None and notices is not None and routes.encoder_digest != notices[0].encoder_digest:
            raise ValueError("the routes and the notice model read different encoders; refit both")
        self._cache: OrderedDict[tuple, Answer] = OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def load(cls, settings: Settings, ranker: Ranker | None = None) -> Bot:
        torch = settings.query_encoder == "torch"
        index = open_index(
            settings.index_dir, model=settings.model_name, with_encoder=not torch, threads=settings.threads
        )
        if torch:
            from index.encoders import SentenceTransformerEncoder

            encoder = SentenceTransformerEncoder(settings.resolved_model_path())
        else:
            encoder, index.encoder = index.encoder, None
        reranker = CrossEncoder(settings.reranker_path or bundled_reranker_path(), threads=settings.threads)
        check_reranker(index, reranker, settings.index_dir)
        notices = NoticeModel.load(NOTICE_MODEL_FILE)
        return cls(index, settings, encoder, reranker, ranker, (notices, notices.load_encoder(settings.threads)))

    def batch_encodes(self) -> None:
        """Serve mode: concurrent questions share one encoder call (idempotent)."""
        if not isinstance(self.encoder, BatchingEncoder):
            self.encoder = BatchingEncoder(self.encoder)

    @property
    def version(self) -> str:
        return self.index.version

    def ask(self, question: str, top_k: int | None = None, history: list[str] | None = None) -> Answer:
        """Quotes that answer `question`, or an abstention; always with the disclaimer.

        `history` is the conversation's earlier questions, oldest first (the client keeps it; nothing is stored
        here). It is used only when the question leans on it ("is it safe for kids?"); `context_from` says which.
        """
        key = self._key(question, top_k, history)
        text, k, earlier = key[0], key[1], list(key[2])
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
        if cached is None:
            cached = self._answer(text, k, earlier)
            with self._lock:
                self._cache[key] = cached
                while len(self._cache) > self.settings.cache_size:
                    self._cache.popitem(last=False)
        # the question is echoed as asked; the quotes are shared; notes are dated today, not when first cached
        return replace(cached, question=question, notes=self._notes(cached.quotes))

    def _key(self, question: str, top_k: int | None, history: list[str] | None) -> tuple[str, int, tuple[str, ...]]:
        """The checked question, `top_k` and history: the answer cache's key. Kept as typed, case included: case
        can change the reading ("Should I?" leans on the conversation as "should i?" does; a capitalised name
        would not)."""
        text = clean_question(question, self.settings.max_question_chars)
        earlier = clean_history(history, self.settings)
        k = top_k if top_k is not None else self.settings.top_k
        if not 1 <= k <= self.settings.max_top_k:
            raise InvalidQuestion(f"top_k must be between 1 and {self.settings.max_top_k}")
        return text, k, tuple(earlier)

    def is_cached(self, question: str, top_k: int | None = None, history: list[str] | None = None) -> bool:
        """Would `ask` answer this from its cache? The no-JavaScript page re-renders earlier exchanges: only those
        it must compute again cost the asker rate-limit tokens. A question `ask` would refuse is not cached."""
        try:
            key = self._key(question, top_k, history)
        except InvalidQuestion:
            return False
        with self._lock:
            return key in self._cache

    def _answer(self, text: str, k: int, history: list[str]) -> Answer:
        context = context_for(text, history)
        if context is not None and self.names_its_topic(text):
            context = None
        queries = [self.with_topic(history[context:], text)] if context is not None else questions_in(text)
        vectors = self.encoder.encode(queries)
        meaning = self.notice_encoder.encode([text])[0] if self.notice_encoder is not None else None
        notices = notices_for(text, self.learned_notices(text, meaning))
        if not looks_english(text, self.index.vocab):
            notices.append("language")
        route = self.route(queries[0] if context is not None else text, None if context is not None else meaning)
        ranked = [self.ranked(q, v, route) for q, v in zip(queries, vectors[: len(queries)], strict=True)]
        # beside a crisis notice the general model decides: CRISIS_CONFIDENCE is a cut on its probabilities, and the
        # neighbours' vote holds no crisis message ("I can't live like this with no hair" reads answerable)
        asked_score = None if "crisis" in notices else self.asked_score(meaning)
        verdict = self.decide(queries, ranked, text, vectors[: len(queries)], asked_score, context is not None)
        merged = [w for group in zip_longest(*(r.windows for r in ranked)) for w in group if w is not None]
        windows = select(self.index, merged, k, self.ranker.min_score) if verdict.answerable else []
        withheld = bool(windows) and "crisis" in notices and verdict.probability < CRISIS_CONFIDENCE
        if withheld:
            windows = []  # beside a crisis notice, only quotes the answerability model is sure of
        elif "crisis" in notices:
            windows = windows[:1]  # and only the best: "bald burden on my family" drew a family-history statistic 2nd
        quotes = [self._quote(w) for w in windows]
        # words of a crisis ("kill", "myself") or of another language ("quiero") are not concepts the articles lack
        missing = [] if quotes or {"crisis", "language"} & set(notices) else verdict.missing
        return Answer(
            text,
            bool(quotes),
            quotes,
            notice=NOTICES[notices[0]] if notices else None,
            message=None if quotes else CRISIS_WITHHELD if withheld else not_found_message(missing, verdict.mentioned),
            notices=notices,
            missing=missing,
            context_from=context,
        )

    def _notes(self, quotes: list[Quote]) -> list[str]:
        today, years = datetime.date.today(), self.settings.old_article_years
        return sorted({n for q in quotes if (n := age_note(q.source.date, today, years))})

    def names_its_topic(self, question: str) -> bool:
        """A question that names a rare term the articles use ("alopecia universalis", "ruxolitinib") stands alone,
        whatever pronoun it also holds ("…a gene that causes…", "…are they pills?"); one that opens as a follow-up
        ("and what about ruxolitinib?") still carries the earlier ask."""
        vocab = self.index.vocab
        return (
            vocab is not None
            and FOLLOW_UP_START.match(question) is None
            and any(w in vocab.words and vocab.frequency(w) < OWN_TOPIC_ZIPF for w in words_of(question))
        )

    def with_topic(self, earlier: list[str], follow_up: str) -> str:
        """The follow-up with the conversation's topic carried over: the salient words ("ruxolitinib", "areata") of
        the question it leans on and of every question since (rarer than the fitted `salient_zipf`) that the
        articles use (the word or its stem: "kerastems" is theirs), not their whole text, so the earlier questions'
        own asks do not drown the new one; the follow-up first, as the patient's ask, the topic after it in
        brackets. A word the articles never use ("evry", "gonna", "heard") names no topic of theirs and only blurs
        the search text the cross-encoder reads. Only when no earlier word is theirs is the whole earlier text
        carried. Hair conversations' fit half (77), hit@3 with every salient word 0.779 (false abstention 0.130),
        with the articles' words by spelling 0.818 (0.091), by spelling or stem 0.831 (0.091); near-miss follow-ups
        refused 8 of 15 in all three."""
        if self.checker is None:
            return " ".join([*earlier, follow_up])
        words = [w for q in earlier for w in self.checker.salient(q)]
        topic = dict.fromkeys(w for w, own in zip(words, self.checker.theirs(words), strict=True) if own)
        return f"{follow_up} ({' '.join(topic) or ' '.join(earlier)})"

    def learned_notices(self, message: str, vector: np.ndarray | None = None) -> list[str]:
        """The notices the fitted model finds in a whole message (none without the model: patterns only);
        `vector`, the message's notice-encoder vector when the caller has it."""
        if self.notice_model is None or self.notice_encoder is None:
            return []
        if vector is None:
            vector = self.notice_encoder.encode([message])[0]
        return self.notice_model.kinds_for(vector, message)

    def asked_score(self, vector: np.ndarray | None) -> float | None:
        """On the bundled articles, how much the message (its notice-encoder vector) reads like a question they
        answer (`bot.asked`); None elsewhere, or without the vector: the general answerability model decides."""
        own = (self.ranker.answer or {}).get("asked")
        return own["classifier"].score(vector) if own is not None and vector is not None else None

    def route(self, message: str, vector: np.ndarray | None = None) -> np.ndarray | None:
        """On the bundled articles, where the fit questions nearest `message` point (`bot.route`; `vector`, its
        notice-encoder vector when the caller has it: a follow-up's is its search text's, topic carried over);
        None elsewhere."""
        if self.ranker.routes is None or self.notice_encoder is None:
            return None
        if vector is None:
            vector = self.notice_encoder.encode([message])[0]
        return self.ranker.routes.scores(vector)

    def ranked(self, query: str, qvec: np.ndarray | None = None, route: np.ndarray | None = None) -> Ranked:
        """Every shortlisted window for one search text, best first, with its fitted relevance; `route`, the
        message's (`route`; by default the search text's own, as a one-line question's is)."""
        if route is None:
            route = self.route(query)
        if qvec is None:
            qvec = self.encoder.encode([query])[0]
        if self.ranker.adapter is not None:
            qvec = self.ranker.adapter(qvec)
        candidates = hybrid_search(self.index, query, qvec, keep=self.ranker.chunks)
        windows = candidate_windows(self.index, query, qvec, candidates, route)
        keep, prob, ce = score(self.ranker, self.reranker, self.index, query, windows)
        docs = self.index.sentences[windows.first[keep], DOC] if len(keep) else []
        found = [
            Window(int(d), int(windows.first[i]), int(windows.last[i]), float(p), int(windows.best[i]))
            for d, i, p in zip(docs, keep, prob, strict=True)
        ]
        type_miss = float(windows.x[keep[0], FEATURES.index("type_miss")]) if len(keep) else 1.0
        quoted = " ".join(passage(self.index, w.doc, w.first, w.last) for w in found[:3])
        top_ce = float(ce[0]) if len(ce) else -12.0
        return Ranked(found, float(prob[0]) if len(prob) else 0.0, top_ce, type_miss, quoted)

    def decide(
        self, queries: list[str], ranked: list[Ranked], message: str = "", vectors: np.ndarray | None = None,
        asked_score: float | None = None, follow_up: bool = False,
    ) -> Verdict:
        """Answer or abstain, with the question's concepts no passage answers about. `vectors` are the search
        texts' own: a short question is its own search text, so its words' centrality is read against its vector
        instead of encoding it again."""
        own = vectors[0] if vectors is not None and queries == [asked(message or queries[0])] else None
        return decide(
            self.ranker, self.checker, self.encoder, " ".join(queries), ranked, message, own, asked_score, follow_up
        )

    def _quote(self, w: Window) -> Quote:
        _, start, end = self.index.span(w.first, w.last)
        _, *focus = self.index.span(w.focus, w.focus + 1)
        doc = self.index.documents[w.doc]
        ref = SourceRef(doc.id, doc.title, doc.publisher, doc.date, doc.url)
        return Quote(doc.text[start:end], round(w.score, 4), start, end, ref, page_at(doc.text, start), *focus)

    def source(self, source_id: str) -> Document:
        row = self.index.by_id.get(source_id)
        if row is None:
            raise SourceNotFound(f"no article with id {source_id!r}")
        return self.index.documents[row]

    def sources(self) -> list[Document]:
        """Every article the bot can quote, in index order."""
        return list(self.index.documents)

    def neighbours(self, source_id: str, start: int, end: int) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
        """[start, end) offsets of the sentence just before `start` and just after `end` in that article, if any.

        The stored sentence spans are used, so "expand this quote" shows the same sentences the index holds.
        Raises `InvalidQuestion` when the range is not inside the article.
        """
        doc = self.source(source_id)
        if not 0 <= start < end <= len(doc.text):
            raise InvalidQuestion(f"characters {start}-{end} are not inside article {source_id!r}")
        row = self.index.by_id[source_id]
        rows = np.flatnonzero(self.index.sentences[:, DOC] == row)
        starts, ends = self.index.sentences[rows, START], self.index.sentences[rows, END]
        before = rows[ends <= start]
        after = rows[starts >= end]
        span = lambda r: (int(self.index.sentences[r, START]), int(self.index.sentences[r, END]))  # noqa: E731
        return (span(before[-1]) if len(before) else None, span(after[0]) if len(after) else None)


def ensure_index(settings: Settings, on_build: Callable[[bool], object] | None = None) -> None:
    """Build the default corpus's index on first use, and update it once after an upgrade changed the index format
    (`on_build(True)`; its vectors are reused, so this takes seconds). Any other folder's missing or outdated index
    is an error that says how to rebuild it: the bot never re-reads a user's articles unasked."""
    try:
        build = current_build(settings.index_dir)
    except IndexMissing:
        if on_build is None:
            raise
        on_build(False)
        return
    found = build_format(build)
    if on_build is not None and found is not None and found != FORMAT_VERSION:
        on_build(True)
