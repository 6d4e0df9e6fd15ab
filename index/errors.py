"""Every error a user can cause or fix, in one place.

The core raises these; only the faces (CLI, HTTP) translate them into exit
codes and status codes, so the same problem reads the same everywhere.
"""


class BotError(Exception):
    """Base class: the message is written for the person who has to act on it."""

    exit_code = 1
    http_status = 500


class InvalidQuestion(BotError):
    """The question is empty, too long or otherwise unusable."""

    exit_code = 2
    http_status = 422


class IndexMissing(BotError):
    """No index where one was expected."""

    exit_code = 3
    http_status = 503


class IndexInvalid(BotError):
    """The index exists but is damaged or was built differently (model, format)."""

    exit_code = 3
    http_status = 503


class IndexBusy(BotError):
    """Another build holds the index lock."""

    exit_code = 4
    http_status = 503


class SourceNotFound(BotError):
    """No article with that id in the index."""

    exit_code = 5
    http_status = 404


class ArticlesError(BotError):
    """The articles to index could not be found or none could be read."""

    exit_code = 2
    http_status = 400


class AnswerTimeout(BotError):
    """Answering took longer than the configured limit."""

    exit_code = 6
    http_status = 503
