"""The answer the core returns, and the fixed texts every answer carries.

These are internal types; the web layer has its own pydantic models that
mirror `Answer.to_dict()`, so the wire format is tested, not assumed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

DISCLAIMER = (
    "This assistant only quotes the articles it was given; it is not medical advice and cannot "
    "diagnose or treat you. Talk to a doctor, nurse or pharmacist about your own situation."
)
NOT_FOUND = "I could not find this in the articles, so I cannot quote an answer. A doctor or pharmacist can help."
SAFETY_NOTICE = (
    "If you might hurt yourself or you are in danger right now, please get help immediately: call your "
    "local emergency number (999 in the UK, 112 in the EU, 911 in the US) or a crisis line such as "
    "Samaritans on 116 123 (UK) or 988 (US). You do not have to face this alone."
)
EMERGENCY_NOTICE = (
    "This may be a medical emergency. Call your emergency number now (999 in the UK, 112 in the EU, 911 in the "
    "US) or go to the nearest emergency department; it may be serious. Do not wait for an answer from articles."
)
DOSING_NOTICE = (
    "The articles describe studies, not prescriptions: only a doctor or pharmacist who knows you can say what "
    "you should take."
)
LANGUAGE_NOTICE = (
    "This assistant reads English articles with an English model, and your message does not look like English, "
    "so the quotes below may not match what you asked. Please ask in English if you can. If you are in danger or "
    "might hurt yourself, call your emergency number now (999 in the UK, 112 in the EU, 911 in the US)."
)
# When a message signals a crisis and no quote is sure enough to stand beside the crisis notice: say that, not "the
# articles don't mention kill or myself"
CRISIS_WITHHELD = (
    "I have not quoted the articles beside this message: none of them clearly answers it. Please reach out to the "
    "people above first; you can ask about the articles again at any time."
)
# kind -> fixed text; the order is the order notices are shown in (most urgent first)
NOTICES = {"crisis": SAFETY_NOTICE, "emergency": EMERGENCY_NOTICE, "dosing": DOSING_NOTICE, "language": LANGUAGE_NOTICE}


@dataclass(frozen=True)
class SourceRef:
    id: str
    title: str
    publisher: str | None
    date: str | None
    url: str | None


@dataclass(frozen=True)
class Quote:
    """`text == source_text[start:end]`, always."""

    text: str
    score: float
    start: int
    end: int
    source: SourceRef
    page: int | None = None  # for PDFs: the page the quote starts on
    # the sentence inside the quote that best answers, as [start, end) offsets into the same source text
    focus_start: int | None = None
    focus_end: int | None = None


@dataclass(frozen=True)
class Answer:
    question: str
    answered: bool
    quotes: list[Quote] = field(default_factory=list)
    disclaimer: str = DISCLAIMER
    notice: str | None = None  # the first of `notices`' texts (older clients read only this)
    message: str | None = None
    notices: list[str] = field(default_factory=list)  # kinds, in NOTICES order: crisis, emergency, dosing, language
    # what the question asks that the articles never mention (or, when they use all of it, no passage answers about)
    missing: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. "This article is from 2016; treatments may have changed"
    context_from: int | None = None  # index into `history` of the earlier question this one was read with

    def to_dict(self) -> dict:
        out = asdict(self)
        out["notices"] = [{"kind": k, "text": NOTICES[k]} for k in self.notices]
        return out
