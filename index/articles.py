"""Read articles from disk into one shape, whatever file they came from.

A folder is searched recursively; each readable file gives one or more
`RawArticle`s. Files that cannot be read are reported, not fatal: one bad
leaflet must not stop a clinic from indexing the other thousand.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from index.clean import is_prose
from index.errors import ArticlesError

log = logging.getLogger(__name__)

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}


@dataclass(frozen=True)
class RawArticle:
    """An article as read, before cleaning. `body` is the text exactly as in the file."""

    id: str
    title: str
    body: str
    publisher: str | None = None
    date: str | None = None
    url: str | None = None
    origin: str = ""
    meta: dict = field(default_factory=dict)


@dataclass
class ReadReport:
    """What a read found: the articles and the files it had to skip (path, reason)."""

    articles: list[RawArticle] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


def _as_text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def split_front_matter(text: str) -> tuple[dict, str]:
    """Split YAML front matter (`---` fenced, at the very top) from the body.

    Malformed front matter is treated as ordinary text rather than an error,
    because a body that happens to start with `---` is legitimate.
    """
    if not text.startswith("---\n"):
        return {}, text
    end = text.find("\n---\n", 4)
    if end == -1:
        return {}, text
    try:
        meta = yaml.safe_load(text[4:end]) or {}
    except yaml.YAMLError:
        return {}, text
    if not isinstance(meta, dict):
        return {}, text
    return meta, text[end + 5 :]


def first_line(body: str) -> str:
    for line in body.splitlines():
        if line.strip():
            return line.strip()
    return ""


def parse_text_article(path: Path, text: str, article_id: str) -> RawArticle:
    """A `.txt`/`.md` article: optional front matter, else a first line that is a heading ("# Chemo hair loss",
    "Gene Therapy For Hair Loss") is the title, else the file's name: a first line that is a sentence is content,
    and as the title it would be cleaned away as a repeat of it. Windows line endings are read as newlines."""
    meta, body = split_front_matter(text.replace("\r\n", "\n").replace("\r", "\n"))
    heading = first_line(body).lstrip("#").strip()
    heading = heading if heading and not is_prose(heading) else None
    title = _as_text(meta.get("title")) or heading or Path(article_id).name
    return RawArticle(
        id=str(meta.get("id") or article_id),
        title=title,
        body=body,
        publisher=_as_text(meta.get("publisher")),
        date=_as_text(meta.get("date")),
        url=_as_text(meta.get("url")),
        origin=str(path),
    )


def read_text_file(path: Path) -> str:
    """Read UTF-8 text strictly: a mis-encoded file is skipped, never indexed as garbage."""
    data = path.read_bytes()
    if b"\x00" in data[:8192]:
        raise ValueError("looks like a binary file")
    return data.decode("utf-8-sig")


def read_articles(path: Path) -> ReadReport:
    """Read every supported file under `path` (a folder, recursively, or one file)."""
    from index import formats  # local: the format readers pull in optional heavy parsers

    path = Path(path)
    if not path.exists():
        raise ArticlesError(f"articles path not found: {path}")
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    report = ReadReport()
    if path.is_dir():  # rglob does not follow links to folders (loops); say so rather than skip them silently
        report.skipped += [(str(p), "a link to a folder, not followed: index that folder itself")
                           for p in sorted(path.rglob("*")) if p.is_symlink() and p.is_dir()]
    root = path if path.is_dir() else path.parent
    for file in files:
        reader = formats.reader_for(file)
        if reader is None:
            if path.is_file():
                report.skipped.append((str(file), f"unsupported file type {file.suffix!r}"))
            continue
        article_id = file.relative_to(root).with_suffix("").as_posix()
        try:
            got = reader(file, article_id, report)
        except Exception as exc:  # noqa: BLE001 - any unreadable file is skipped, named, and the run goes on
            report.skipped.append((str(file), f"{type(exc).__name__}: {exc}"))
            continue
        report.articles.extend(got)
    return report
