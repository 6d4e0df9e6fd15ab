"""Dates in words and the old-article note (`bot.dates`)."""

from __future__ import annotations

import datetime

import pytest

from bot.dates import age_note, date_in_words, iso_date

TODAY = datetime.date(2026, 5, 1)


@pytest.mark.parametrize(
    "date,words",
    [
        ("2016-09-27", "27 Sep 2016"),
        ("2016-09-27T10:20:00+01:00", "27 Sep 2016"),
        ("2016-9-7", "7 Sep 2016"),
        ("2016-09", "Sep 2016"),
        ("2016", "2016"),
        (None, "undated"),
        ("", "undated"),
        ("   ", "undated"),
        ("2016-02-30", "2016-02-30"),  # not a real day: shown as given, never guessed
        ("Tuesday last week", "Tuesday last week"),
    ],
)
def test_date_in_words(date, words):
    assert date_in_words(date) == words


def test_iso_date_only_for_readable_dates():
    assert iso_date("2016-9-7") == "2016-09-07"
    assert iso_date("2016-09") == "2016-09"
    assert iso_date("spring 2016") is None and iso_date(None) is None


def test_age_note_for_articles_older_than_the_setting():
    assert age_note("2016-09-27", TODAY, 5) == "This article is from 2016; treatments may have changed since."
    assert age_note("2021-05-02", TODAY, 5) is None  # 5 years less a day
    assert age_note("2021-04-30", TODAY, 5) is not None
    assert age_note("2021", TODAY, 5) is None  # a bare year is read as its last day: not called old too early
    assert age_note("2020", TODAY, 5) is not None
    assert age_note(None, TODAY, 5) is None and age_note("unknown", TODAY, 5) is None
    assert age_note("2016-09-27", TODAY, 20) is None


def test_age_note_on_a_leap_day():
    assert age_note("2019-03-01", datetime.date(2024, 2, 29), 5) is None
    assert age_note("2019-02-27", datetime.date(2024, 2, 29), 5) is not None


def test_dates_written_freely_still_date_the_article_and_year_zero_is_only_text():
    assert date_in_words("Sept 2016") == "Sept 2016" and age_note("Sept 2016", TODAY, 5) is not None
    assert age_note("27/09/2016", TODAY, 5) == "This article is from 2016; treatments may have changed since."
    assert age_note("updated March 2024", TODAY, 5) is None
    assert date_in_words("0000") == "0000" and age_note("0000", TODAY, 5) is None and iso_date("0000") is None
