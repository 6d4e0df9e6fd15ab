"""Answer patient questions with verbatim, cited quotes from a fixed set of articles.

Names are imported lazily so that `bot --help` and `bot source` stay fast.
"""

from __future__ import annotations

from importlib import import_module

_EXPORTS = {
    "Answer": "bot.answer",
    "Quote": "bot.answer",
    "SourceRef": "bot.answer",
    "Bot": "bot.engine",
    "Settings": "bot.settings",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> object:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(name)
