"""The one Jinja environment: pages, the answer fragment and error pages render from it.

Templates use plain "/static/..." paths rather than `url_for`, so an error page can be rendered without a
request (the guard middleware answers 413/429 before any route runs).
"""

from __future__ import annotations

from fastapi.templating import Jinja2Templates

from bot.dates import date_in_words, iso_date
from web.app_paths import TEMPLATES_DIR
from web.view import tel_parts

templates = Jinja2Templates(directory=TEMPLATES_DIR)  # autoescape is on for .html
templates.env.filters["date_in_words"] = date_in_words
templates.env.filters["iso_date"] = iso_date
templates.env.filters["tel_parts"] = tel_parts
