"""Wire types for the JSON API, separate from the core's dataclasses.

They mirror `Answer.to_dict()` field for field; a test checks the two agree, and the OpenAPI schema at /docs
is generated from these. Types are strict (`"top_k": true` is not 1). The limits on a question (length,
history size, top_k) are checked by the core with the running settings, in one place; `document_limits`
writes those same running values into the OpenAPI schema, so nothing here copies them.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from bot.settings import Settings

QUESTION_PATTERN = r"[^\s\x00-\x1f\x7f]"  # at least one visible character, as the core requires


def whole_number(value: object) -> object:
    """JSON Schema's integer: 3 or 3.0, never `true` or "3" (strict types, as the schema says)."""
    if isinstance(value, bool):
        raise ValueError("must be a whole number, not true or false")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


class AskRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={
            "examples": [
                {"question": "Will my hair grow back?"},
                {"question": "how long did they take it for?", "history": ["Does ruxolitinib make hair grow back?"]},
            ]
        },
    )

    question: str = Field(description="The patient's question, in their own words.")
    history: list[str] | None = Field(
        default=None,
        description=(
            "The conversation's earlier questions, oldest first, each validated like `question`. The client keeps "
            'them; the server stores nothing. A follow-up that leans on them ("is it safe for kids?") is read '
            "with the earlier topic; a self-contained question ignores them."
        ),
    )
    top_k: Annotated[int, BeforeValidator(whole_number)] | None = Field(
        default=None, description="Most quotes to return (default 3)."
    )


class SourceOut(BaseModel):
    id: str
    title: str
    publisher: str | None
    date: str | None = Field(description="As the article gives it, usually ISO 8601 (2016-09-27); null if undated.")
    url: str | None


class QuoteOut(BaseModel):
    text: str = Field(description="Verbatim: equals the source's text[start:end].")
    score: float = Field(
        description="Relevance of the quote to the question, in [0, 1]: higher is more relevant. It ranks quotes; "
        "it is not a probability that the quote is correct or answers the question."
    )
    start: int
    end: int
    source: SourceOut
    page: int | None = Field(default=None, description="For PDF articles, the page the quote starts on.")
    focus_start: int | None = Field(
        default=None, description="Start of the sentence inside the quote that best answers (same offsets)."
    )
    focus_end: int | None = Field(default=None, description="End (exclusive) of that sentence.")


class NoticeOut(BaseModel):
    kind: Literal["crisis", "emergency", "dosing", "language"] = Field(
        description="crisis: self-harm; emergency: call an ambulance; dosing: personal dosing, stopping or "
        "buying; language: the question does not look like English."
    )
    text: str = Field(description="The fixed text to show, before anything else.")


class AnswerOut(BaseModel):
    question: str
    answered: bool
    quotes: list[QuoteOut]
    disclaimer: str
    notices: list[NoticeOut] = Field(description="Every notice, most urgent first; show them before the quotes.")
    notice: str | None = Field(description="The first notice's text (for older clients; prefer `notices`).")
    message: str | None = Field(description="Plain-language note when the articles do not answer.")
    missing: list[str] = Field(
        description="What the question asks about that the articles never mention; or, when they use (or come near)"
        " every word of it, what no passage in them answers about (the message then says so).")
    notes: list[str] = Field(description="Notes to show under the quotes, e.g. that an article is old.")
    context_from: int | None = Field(
        description="Index into `history` of the earlier question this one was read with (its topic and that of every"
        " later question were carried over); null if none."
    )


class ArticleOut(SourceOut):
    text: str = Field(description="The cleaned article text that quote offsets point into.")


class SpanOut(BaseModel):
    start: int
    end: int
    text: str = Field(description="Equals the article's text[start:end].")


class ContextOut(BaseModel):
    id: str
    before: SpanOut | None = Field(description="The article's sentence just before `start`, if any.")
    after: SpanOut | None = Field(description="The article's sentence just after `end`, if any.")


class ErrorOut(BaseModel):
    error: str
    detail: list | None = None


class HealthOut(BaseModel):
    status: str
    index: str
    documents: int


def document_limits(spec: dict, settings: Settings) -> dict:
    """Write the running settings' limits into the OpenAPI schema of `AskRequest`."""
    props = spec.get("components", {}).get("schemas", {}).get("AskRequest", {}).get("properties", {})
    question = {"minLength": 1, "maxLength": settings.max_question_chars, "pattern": QUESTION_PATTERN}
    if "question" in props:
        props["question"].update(question)
        props["question"]["description"] += f" At most {settings.max_question_chars:,} characters."
    for option in props.get("history", {}).get("anyOf", []):
        if option.get("type") == "array":
            option.update(maxItems=settings.max_history, items={"type": "string", **question})
    if "history" in props:
        props["history"]["description"] += f" At most {settings.max_history}."
    for option in props.get("top_k", {}).get("anyOf", []):
        if option.get("type") == "integer":
            option.update(minimum=1, maximum=settings.max_top_k)
    return spec
