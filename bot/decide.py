"""Answer or abstain, and say why: the fitted answerability decision and the messages it leads to.

The evidence (`bot.answerable`) is combined by weights fitted on answerable and near-miss questions
(`python -m bot.fit`, stored under "answer" in ranker.json), with the threshold set on the fitting data so
that few answerable questions are refused. The abstention names what the articles never mention, when a
concept is to blame (or, when they do speak of it, that no passage answers the question about it); otherwise it
says plainly that nothing in them answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from bot.answer import NOT_FOUND
from bot.answerable import ANSWER_FEATURES, GREETINGS, STOP, ConceptChecker, Concepts, answer_features
from bot.asked import ASKED_FEATURES
from bot.questions import asked, asks
from bot.quotes import Window
from bot.ranker import Ranker
from index.vocab import Vocab, words_of

# Beside a crisis notice, quotes only when the answerability model is this sure the articles answer (a policy,
# not a fit: a loosely related statistic next to "call a crisis line" does harm).
CRISIS_CONFIDENCE = 0.9
ENGLISH_SHARE = 0.5  # below this share of known English words (articles' own words aside) a message is not English
LANGUAGE_CONFIDENCE = 0.6  # py3langid's normalised probability needed to call a message another language
LETTERS = re.compile(r"[^\W\d_]+")
SMALL_TALK_WORDS = 4  # "thank you so much!": a message this short that asks and names nothing is no question
PLEASANTRIES = GREETINGS | {"k", "thanks", "thx", "ty", "great", "cool", "nice", "yes", "yeah", "yep", "no", "nope",
                             "sure", "lol", "test", "testing"}
FILLER = {"you", "so", "very", "lot", "lots", "all", "again"}  # "thank you so much", beside STOP's function words
WORDS = re.compile(r"\w+")


@dataclass(frozen=True)
class Ranked:
    windows: list[Window]
    relevance: float  # the best window's fitted relevance
    ce: float  # ... and its cross-encoder logit
    type_miss: float  # 1 when the question asks for a number/time/place/agent the best window lacks
    quoted: str = ""  # the text of the best few windows: does the answer speak of the question's concepts?


@dataclass(frozen=True)
class Verdict:
    answerable: bool
    missing: list[str]
    probability: float
    mentioned: bool = False  # the articles use or come near every word in `missing`; no passage answers about them


def concept_checker(ranker: Ranker, vocab: Vocab | None) -> ConceptChecker | None:
    if vocab is None or ranker.answer is None:
        return None
    # a word is named only if it is central enough to what is asked ("actualy" is not): the cut fitted for naming
    # (`bot.fit_names`); a file fitted before it names by both other fitted cuts (the absent rule's and the quotes'
    # coverage's)
    rules = [ranker.answer.get("absent"), (ranker.answer.get("asked") or {}).get("absent")]  # the bundled one's too
    central = max(*((r or {}).get("central_above", -1.0) for r in rules), ranker.answer.get("central", -1.0))
    central = (ranker.answer.get("naming") or {}).get("central_above", central)
    return ConceptChecker(vocab, ranker.answer["salient_zipf"], ranker.answer["covered"], central)


def decide(  # noqa: PLR0913
    ranker: Ranker, checker: ConceptChecker | None, encoder, text: str, ranked: list[Ranked], message: str = "",  # noqa: ANN001
    asked_vector: np.ndarray | None = None, asked_score: float | None = None, follow_up: bool = False,
) -> Verdict:
    """Answer or abstain on the search texts' evidence. The absent-concept rule reads only words the patient
    wrote in this message (`message`, default `text`), and of a long one only its asking sentences: a topic
    word carried over from an earlier question must not refuse every follow-up, nor a word of the story.
    (The price: a lead-in's word — "I'm breastfeeding. Is it safe?" inside a long letter — no longer counts.)
    On the bundled articles, `asked_score` (`bot.asked`: does the message read like a question they answer?)
    joins the evidence, with the model, threshold and absent-concept rule fitted beside it; a `follow_up` read with
    its conversation is held to the threshold fitted for follow-ups (`bot.fit_follow_ups`), as its vote reads the
    message alone ("is that permanent?"), not the conversation."""
    best = max(ranked, key=lambda r: r.ce)
    floor = ranker.answer.get("ce_floor") if ranker.answer is not None else None
    if checker is None or ranker.answer is None:
        ok = best.relevance >= ranker.min_score and not far_off_topic(floor, best.ce)
        return Verdict(ok, [], best.relevance)
    if says_nothing(message or text):
        return Verdict(False, [], 0.0)
    concepts = checker.check(text, encoder, best.quoted, asked(message or text), asked_vector)
    x = answer_features(best.ce, concepts, best.type_miss, ranker.answer.get("central", -1.0))[None, :]
    own = ranker.answer.get("asked") if asked_score is not None else None
    if own is not None:
        x, names, model, threshold, rule = np.append(x, [[asked_score]], axis=1), ASKED_FEATURES, *(
            own[k] for k in ("model", "threshold", "absent"))
        if follow_up and own.get("follow_up"):
            threshold = own["follow_up"]["threshold"]
    else:
        names = ANSWER_FEATURES
        model, threshold, rule = (ranker.answer.get(k) for k in ("model", "threshold", "absent"))
    p = float(1 / (1 + np.exp(-model.logit(x, names))[0]))
    absent = absent_words(checker, concepts, rule, message or text, best.ce)
    if absent:
        return _refused(checker, concepts, p, checker.named(concepts, absent))
    if far_off_topic(floor, best.ce):
        return _refused(checker, concepts, p)
    ok = p >= threshold and best.relevance >= ranker.min_score
    return Verdict(True, [], p) if ok else _refused(checker, concepts, p)


def _refused(checker: ConceptChecker, concepts: Concepts, p: float, missing: list[str] | None = None) -> Verdict:
    """A refusal naming `missing` (default: what the articles, else the best quotes, lack), and whether the
    articles use or come near every word of it: then the message must not say they "don't mention" it."""
    missing = checker.missing(concepts) if missing is None else missing
    return Verdict(False, missing, p, checker.mentioned(concepts, missing))


def says_nothing(message: str) -> bool:
    """"ok", "thanks", "thank you so much!", "1 2 3": a few words, none asking (no question mark, no asking word),
    all pleasantries, numbers or function words, one at least a pleasantry or a number. No quote answers them, and
    the fitted model, which only ever saw questions, reads "nothing missing" and answers; so do the follow-up
    rules ("ok" leans on the conversation). "in women", "more please" and "ok but does it work" go on: after a
    question about ruxolitinib they are follow-ups."""
    found = WORDS.findall(message.lower())
    return (
        0 < len(found) <= SMALL_TALK_WORDS
        and not asks(message)
        and all(w in PLEASANTRIES or w in STOP or w in FILLER or w.isdigit() for w in found)
        and any(w in PLEASANTRIES or w.isdigit() for w in found)
    )


def absent_words(checker: ConceptChecker, concepts: Concepts, rule: dict | None, message: str, ce: float) -> list[str]:
    """The absent-concept rule (cuts fitted by `python -m bot.fit`): rare words of what the message asks (not
    its story, not a topic carried from earlier) that the articles never come near, unless the cross-encoder
    is sure the best window answers anyway ("has any regulator signed off?" next to "approved by the FDA")."""
    if not rule or ce >= rule.get("ce_below", np.inf):
        return []
    own = set(words_of(asked(message)))
    cuts = rule["rarer_than"], rule["cosine_below"], rule.get("central_above", -1.0)
    return [w for w in checker.absent(concepts, *cuts) if w in own]


def far_off_topic(floor: dict | None, ce: float) -> bool:
    """Nothing the articles hold is about the question: the cross-encoder's logit for the best window (of every
    search text's) sits at its floor, about -11 for "What is the capital of Australia?". The fitted model alone
    misses such questions when they hold no rare word to find absent (its coverage evidence then reads "nothing
    missing"). The cut is fitted by `python -m bot.fit` (`bot.fit_answer.FLOOR_REFUSED` of the answerable hair
    questions of the fit parts may fall under it)."""
    return floor is not None and ce < floor["below"]


def not_found_message(missing: list[str], mentioned: bool = False) -> str:
    """Why nothing is quoted, in words that are true: "don't mention stress" is false of articles that speak of
    stress but hold no passage answering this question about it (`mentioned`)."""
    if not missing:
        return NOT_FOUND
    named = missing[0] if len(missing) == 1 else ", ".join(missing[:-1]) + " or " + missing[-1]
    if mentioned:  # true whether they use the word or only one near it ("price": "JAK inhibitors are cheap")
        return (f"Nothing in these articles answers this about {named}, so I cannot quote an answer. A doctor or "
                "pharmacist can help.")
    return f"These articles don't mention {named}, so I cannot quote an answer. A doctor or pharmacist can help."


def looks_english(text: str, vocab: Vocab | None) -> bool:
    """Is the message English? Its own words (the articles' words aside: "alopecia" is every language's) are
    checked against the English word list first; only a message with unknown words is put to a language
    identifier (py3langid, offline; loaded on first need, so plain English questions never pay for it)."""
    if vocab is None:
        return True
    words = [w.lower() for w in LETTERS.findall(text) if w.lower() not in vocab.words]
    if not words or all(w in vocab.zipf for w in words):
        return True
    share = sum(w in vocab.zipf for w in words) / len(words)
    lang, confidence = _identifier().classify(" ".join(words))  # the articles' words would say "English"
    return share >= ENGLISH_SHARE and (lang == "en" or confidence < LANGUAGE_CONFIDENCE)


def load_language_identifier() -> None:
    """A server loads the identifier at start, so its memory is in place before the first question, not
    added on the first message that is not plain English."""
    _identifier()


@lru_cache(maxsize=1)
def _identifier():  # noqa: ANN202
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
