"""What kind of answer a sentence can give, and which question in the article it answers.

Computed once at index time and stored with the sentences, so answering scans no text:

* answer-type tags (a bit mask): does the sentence hold a number, a time, a place, a person or organisation?
  A question asking "how many" or "when" is poorly answered by a sentence holding neither.
* question links: in a Q&A article (a reader's letter, an FAQ entry) the sentences after a question answer
  it; each such sentence records the row of that question, so a patient's question that matches the
  article's question can find the answer that follows it.

The same categories classify the patient's question (`question_type`), so both sides speak one vocabulary.
"""

from __future__ import annotations

import re

from index.chunking import asks as ends_with_question_mark

NUMBER, TIME, PLACE, AGENT = 1, 2, 4, 8
TYPE_NAMES = {NUMBER: "number", TIME: "time", PLACE: "place", AGENT: "person or organisation"}

_NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundreds?|"
    r"thousands?|millions?|half|third|quarter|dozens?|percent|per cent"
)
HAS_NUMBER = re.compile(rf"\d|%|\b({_NUMBER_WORDS})\b", re.I)
HAS_TIME = re.compile(
    r"\b(1[89]\d\d|20\d\d|january|february|march|april|may|june|july|august|september|october|november|december"
    r"|days?|weeks?|months?|years?|decades?|hours?|minutes?|daily|weekly|monthly|yearly|annually|ago|since|until"
    r"|currently|soon|recently|today|now|later|phase)\b",
    re.I,
)
HAS_PLACE = re.compile(
    r"\b(in|at|from|across|throughout|to)\s+(the\s+)?(?-i:[A-Z][a-z]+|[A-Z]{2,})|\b(countr(y|ies)|cit(y|ies)"
    r"|clinics?|hospitals?|centres?|centers?|abroad|nationwide|worldwide|europe\w*|america\w*|britain|british)\b",
    re.I,
)
HAS_AGENT = re.compile(
    r"\b(Dr|Prof|Professor|Doctor|University|College|Institute|Center|Centre|Hospital|Company|Inc|Ltd|Foundation"
    r"|Association|Society|Agency|FDA|NHS|CDC|WHO|researchers?|scientists?|team|doctors?|dermatologists?)\b"
    r"|\b(?-i:[A-Z][a-z]+\s+[A-Z][a-z]+)"
)


def answer_tags(sentence: str) -> int:
    """Bit mask of NUMBER, TIME, PLACE and AGENT evidence in one sentence."""
    mask = 0
    for bit, pattern in ((NUMBER, HAS_NUMBER), (TIME, HAS_TIME), (PLACE, HAS_PLACE), (AGENT, HAS_AGENT)):
        if pattern.search(sentence):
            mask |= bit
    return mask


_QUESTION_TYPES = [
    (TIME, re.compile(r"\b(when|how long|how soon|how quickly|what year|which year|how often|what age|how old)\b",
                      re.I)),
    (NUMBER, re.compile(r"\b(how (many|much)|what (percent|percentage|proportion|dose|dosage|number|amount)"
                        r"|how (big|large|effective)|what are the (chances|odds)|success rate|cost)\b", re.I)),
    (PLACE, re.compile(r"\b(where|which (countr|cit|clinic|hospital)|what (countr|cit))", re.I)),
    (AGENT, re.compile(r"\b(who|whom|whose|which (company|university|team|doctor|scientist|researcher)"
                       r"|what (company|university))\b", re.I)),
]


def question_type(question: str) -> int:
    """The answer type a question asks for (one bit), or 0 when it asks for none in particular."""
    for bit, pattern in _QUESTION_TYPES:
        if pattern.search(question):
            return bit
    return 0


def question_links(paragraphs: list[int], asks: list[bool], texts: list[str], max_gap: int = 2) -> list[int]:
    """For each sentence, the local row of the question it answers, or -1.

    A sentence answers the last question sentence before it (one ending in "?") when it does not ask itself
    and lies within `max_gap` paragraphs of it; a later question starts a new link.
    """
    links, last_q = [], -1
    for row, (para, asking, text) in enumerate(zip(paragraphs, asks, texts, strict=True)):
        if asking:
            if ends_with_question_mark(text):
                last_q = row
            links.append(-1)
            continue
        linked = last_q >= 0 and para - paragraphs[last_q] <= max_gap
        links.append(last_q if linked else -1)
    return links
