"""What a message actually asks: the question(s) inside a long letter, and the topic a follow-up leans on.

A worried patient writes four sentences of story and one of question; embedding the whole letter lets the
story drown the question. So a long message is searched by each question it contains (with the sentence
before, when the question only says "it"), and then as a whole, in case its ask is vague; the answers are
merged, the questions' own first. A short follow-up ("is it safe for kids?") names no topic, so it is searched
together with the earlier question that does.
"""

from __future__ import annotations

import re

from index.chunking import asks as ends_with_question_mark
from index.chunking import split_sentences

LONG_MESSAGE_WORDS = 40
MAX_QUESTIONS = 3
ASKING = re.compile(
    r"^\W*(what|how|why|when|where|who|whom|which|whose|is|are|was|were|can|could|will|would|should|shall|do|does"
    r"|did|has|have|had|may|might|am|any|anyone|anybody|anything|i (wonder|want to know|would like to know|'d like"
    r" to know|need to know)|please (tell|explain|let)|tell me|so (is|are|can|does|do|will))\b",
    re.I,
)
LEANS = re.compile(
    r"\b(it|its|they|them|their|this|that|these|those|he|she|him|her|the (drug|treatment|trial|study|therapy"
    r"|pills?|tablets?|medication|medicine|procedure|results?|patients?|company|clinic|same))\b",
    re.I,
)
# "that" opening a clause after a verb of saying or finding ("Which university found that stem cells...") is a
# conjunction, not a pointer back to the conversation (verbs that as often take "that study" as their object,
# "read", "heard", "know", are left out)
CLAUSE_THAT = re.compile(
    r"\b(found|said|says|shows?|showed|shown|think|believe|true|means?|claims?|suggests?|suggested|reported|sure"
    r"|possible|likely)\s+that\s+(?=\w)",
    re.I,
)
PRONOUN_I = re.compile(r"I(['’](m|ve|d|ll))?\W*$")
FOLLOW_UP_START = re.compile(
    r"^\W*((ok|okay|alright|right|oh|hmm)\W+)?(and|but|so|also|then|what about|how about|and what|what if|or|any"
    r"|anything)\b", re.I
)


def sentences(text: str) -> list[str]:
    """The index's own splitter, so a message is cut where an article would be."""
    return [text[s.start : s.end] for s in split_sentences(text)]


def asks(sentence: str) -> bool:
    return ends_with_question_mark(sentence) or ASKING.match(sentence) is not None


def _long(message: str, parts: list[str]) -> bool:
    """A letter (story around its questions), not a question: both readers below cut only these."""
    return len(message.split()) > LONG_MESSAGE_WORDS and len(parts) > 2


def questions_in(message: str, whole: bool = True) -> list[str]:
    """The search texts for a message: itself when short; else each question in it (with its lead-in), then the
    whole letter, last. A letter's ask is often vague ("what should we do now?") and its story says what it is
    about; being last, the whole letter's quotes come after the questions' own at each rank. The ranking stages are
    fitted on questions alone (`whole=False`): with whole letters among their search texts the general weights
    lost on the COVID suites, whose questions hold no letter (CV hit@3 covid-qa 0.764 -> 0.744)."""
    parts = sentences(message)
    if not _long(message, parts):
        return [message]
    found: list[str] = []
    for i, sentence in enumerate(parts):
        if not asks(sentence):
            continue
        if i > 0 and (LEANS.search(sentence) or len(sentence.split()) < 6):
            sentence = f"{parts[i - 1]} {sentence}"
        if sentence not in found:
            found.append(sentence)
    if not found:
        return [message]
    return [*found[-MAX_QUESTIONS:], message] if whole else found[-MAX_QUESTIONS:]


def asked(message: str) -> str:
    """Only the sentences of a long message that ask (no lead-ins, no story): what a concept the articles lack
    must come from before it refuses. "I'm a planner and I like knowing..." tells; it does not ask."""
    parts = sentences(message)
    if not _long(message, parts):
        return message
    return " ".join(s for s in parts if asks(s)) or message


def leans_on_history(question: str) -> bool:
    """True when a question cannot stand alone: a pronoun or "the drug" for a subject, "and/what about...",
    or so short it names nothing."""
    words = question.split()
    # "What is Kerastem?" stands alone; "Should I?" names nobody: the pronoun I is always capitalised
    names_something = any(w[:1].isupper() and not PRONOUN_I.match(w) for w in words[1:])
    return (
        (len(words) <= 3 and not names_something)
        or FOLLOW_UP_START.match(question) is not None
        or (len(words) <= 14 and LEANS.search(CLAUSE_THAT.sub(r"\1 ", question)) is not None)
    )


def context_for(question: str, history: list[str]) -> int | None:
    """Index of the earlier question a follow-up leans on: the latest one that stands on its own and asks
    something ("I'm a guy with male pattern baldness" adds to the topic; it does not set it)."""
    if not history or not leans_on_history(question):
        return None
    alone = [i for i, q in enumerate(history) if not leans_on_history(q)]
    asking = [i for i in alone if asks(history[i])]
    return (asking or alone or [0])[-1]
