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


@dataclass(frozen=True)
class Answer:
    question: str
    answered: bool
    quotes: list[Quote] = field(default_factory=list)
    disclaimer: str = DISCLAIMER
    notice: str | None = None
    message: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)
