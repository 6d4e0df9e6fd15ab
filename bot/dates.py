"""Article dates for people: "27 Sep 2016" instead of "2016-09-27", and a note when an article is old.

Articles carry whatever date their source gave (ISO from front matter and HTML, sometimes only a year or a
month, sometimes free text), so parsing is lenient: what cannot be read is shown as given, never guessed at.
A patient reading a 2016 news quote should know it is from 2016: treatments move on.
"""

from __future__ import annotations

import calendar
import datetime
import re

UNDATED = "undated"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# 2016 / 2016-09 / 2016-09-27, optionally followed by a time ("2016-09-27T10:20:00+01:00")
YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")  # a year inside free text ("Sept 2016")
ISO = re.compile(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:[T ][\d:.]+(?:Z|[+-][\d:]+)?)?\s*$")


def _parts(date: str | None) -> tuple[int, int | None, int | None] | None:
    """(year, month, day) with the unknown parts None, or None when the text is not an ISO-like date."""
    if not date:
        return None
    m = ISO.match(date)
    if not m:
        return None
    year, month, day = int(m.group(1)), m.group(2), m.group(3)
    if year < 1:  # "0000": no calendar day, shown as given
        return None
    try:
        if day is not None:
            datetime.date(year, int(month), int(day))  # validates the day too (no 31 Feb)
            return year, int(month), int(day)
        if month is not None:
            return (year, int(month), None) if 1 <= int(month) <= 12 else None
    except ValueError:
        return None
    return year, None, None


def date_in_words(date: str | None) -> str:
    """Say a date as people do: "27 Sep 2016", "Sep 2016" or "2016"; "undated" if none; other text as given."""
    parts = _parts(date)
    if parts is None:
        return date.strip() if date and date.strip() else UNDATED
    year, month, day = parts
    if month is None:
        return str(year)
    if day is None:
        return f"{MONTHS[month - 1]} {year}"
    return f"{day} {MONTHS[month - 1]} {year}"


def _latest_day(parts: tuple[int, int | None, int | None]) -> datetime.date:
    """The last day the date could mean: "2016" is read as 31 Dec 2016, so no article is called old too early."""
    year, month, day = parts
    month = month or 12
    return datetime.date(year, month, day or calendar.monthrange(year, month)[1])


def age_note(date: str | None, today: datetime.date, years: int) -> str | None:
    """A note when the article is more than `years` years older than `today`; None if recent or undated."""
    parts = _parts(date)
    if parts is None:  # "Sept 2016", "27/09/2016": shown as given, but its year still dates it
        years_in = [int(y) for y in YEAR.findall(date or "")]
        if not years_in:
            return None
        parts = (max(years_in), None, None)
    try:
        cutoff = today.replace(year=today.year - years)
    except ValueError:  # 29 Feb minus whole years
        cutoff = today.replace(year=today.year - years, day=28)
    if _latest_day(parts) >= cutoff:
        return None
    return f"This article is from {parts[0]}; treatments may have changed since."


def iso_date(date: str | None) -> str | None:
    """The date as a machine-readable "2016-09-27" / "2016-09" / "2016" (for <time datetime>), else None."""
    parts = _parts(date)
    if parts is None:
        return None
    year, month, day = parts
    return f"{year:04d}" + (f"-{month:02d}" if month else "") + (f"-{day:02d}" if day else "")
