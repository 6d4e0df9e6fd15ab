"""One reader per file type, chosen by suffix.

Each reader returns `RawArticle`s; the rest of the pipeline never knows what
kind of file an article came from.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from index.articles import TEXT_SUFFIXES, RawArticle, ReadReport, parse_text_article, read_text_file

Reader = Callable[[Path, str, ReadReport], list[RawArticle]]
OPTIONAL = ("publisher", "date", "url")


def read_text(path: Path, article_id: str, report: ReadReport) -> list[RawArticle]:
    return [parse_text_article(path, read_text_file(path), article_id)]


def read_jsonl(path: Path, article_id: str, report: ReadReport) -> list[RawArticle]:
    """One article per line; a broken line is skipped and named by line number."""
    out = []
    for number, line in enumerate(read_text_file(path).splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            rec = json.loads(line)
            if not isinstance(rec, dict):
                raise ValueError("not a JSON object")
            missing = [k for k in ("id", "title", "text") if not isinstance(rec.get(k), str) or not rec[k].strip()]
            if missing:
                raise ValueError(f"missing or empty field(s): {', '.join(missing)}")
            odd = [k for k in OPTIONAL if rec.get(k) is not None and not _scalar(rec[k])]
            if odd:  # a date of {"y": 2020} would be shown to patients as "{'y': 2020}"
                kind = type(rec[odd[0]]).__name__
                raise ValueError(f"field(s) {', '.join(odd)} must be text (or a number), not {kind}")
        except ValueError as exc:
            report.skipped.append((where, str(exc)))
            continue
        out.append(
            RawArticle(
                id=rec["id"].strip(),
                title=rec["title"].strip(),
                body=rec["text"],
                publisher=_opt(rec.get("publisher")),
                date=_opt(rec.get("date")),
                url=_opt(rec.get("url")),
                origin=where,
            )
        )
    return out


def _scalar(value: object) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _opt(value: object) -> str | None:
    return str(value).strip() or None if value is not None else None


def read_html(path: Path, article_id: str, report: ReadReport) -> list[RawArticle]:
    """Main content only, via trafilatura; metadata from the page's own tags."""
    import trafilatura

    # bytes, not text: trafilatura reads the page's declared charset ("iso-8859-1" pages kept their "é")
    doc = trafilatura.bare_extraction(path.read_bytes(), with_metadata=True, include_comments=False,
                                      include_tables=False)
    if doc is None or not (doc.text or "").strip():
        raise ValueError("no article text found in the page")
    return [
        RawArticle(
            id=article_id,
            title=(doc.title or "").strip() or article_id,
            body=doc.text,
            publisher=(doc.sitename or doc.author or None),
            date=doc.date or None,
            url=doc.url or None,
            origin=str(path),
        )
    ]


def read_pdf(path: Path, article_id: str, report: ReadReport) -> list[RawArticle]:
    """Text per page; page starts are kept so a citation can name the page."""
    import logging

    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # "invalid pdf header" noise: the skip warning says it once
    reader = PdfReader(str(path))
    pages = [(page.extract_text() or "").strip() for page in reader.pages]
    if not any(pages):
        raise ValueError("no extractable text (scanned PDF?)")
    info = reader.metadata or {}
    title = (info.get("/Title") or "").strip() if info else ""
    body = "\n\n".join(f"[page {n}]\n\n{text}" for n, text in enumerate(pages, start=1) if text)
    return [
        RawArticle(
            id=article_id,
            title=title or article_id.rsplit("/", 1)[-1],
            body=body,
            publisher=((info.get("/Author") or "").strip() or None) if info else None,
            origin=str(path),
        )
    ]


READERS: dict[str, Reader] = {
    **{s: read_text for s in TEXT_SUFFIXES},
    ".jsonl": read_jsonl,
    ".html": read_html,
    ".htm": read_html,
    ".pdf": read_pdf,
}


def reader_for(path: Path) -> Reader | None:
    return READERS.get(path.suffix.lower())
