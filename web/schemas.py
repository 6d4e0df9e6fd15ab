"""Wire types for the JSON API, separate from the core's dataclasses.

They mirror `Answer.to_dict()` field for field; a test checks the two agree,
and the OpenAPI schema at /docs is generated from these.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from bot.settings import Settings

MAX_QUESTION_CHARS = Settings.max_question_chars
QUESTION_PATTERN = r"[^\s\x00-\x1f\x7f]"  # at least one visible character


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"question": "Will my hair grow back?"}]})

    question: str = Field(
        min_length=1,
        max_length=MAX_QUESTION_CHARS,
        pattern=QUESTION_PATTERN,
        description="The patient's question, in their own words (at most 4,000 characters).",
    )
    top_k: int | None = Field(default=None, ge=1, le=10, description="Most quotes to return (default 3).")


class SourceOut(BaseModel):
    id: str
    title: str
    publisher: str | None
    date: str | None
    url: str | None


class QuoteOut(BaseModel):
    text: str = Field(description="Verbatim: equals the source's text[start:end].")
    score: float
    start: int
    end: int
    source: SourceOut
    page: int | None = Field(default=None, description="For PDF articles, the page the quote starts on.")


class AnswerOut(BaseModel):
    question: str
    answered: bool
    quotes: list[QuoteOut]
    disclaimer: str
    notice: str | None = Field(description="Safety notice, present when the message signals a crisis.")
    message: str | None = Field(description="Plain-language note when the articles do not answer.")


class ArticleOut(SourceOut):
    text: str = Field(description="The cleaned article text that quote offsets point into.")


class ErrorOut(BaseModel):
    error: str
    detail: list | None = None


class HealthOut(BaseModel):
    status: str
    index: str
    documents: int
