"""Logging for `renja-bot run`: plain lines, never the bot's token, and a passing network
failure as one warning of ours rather than the library's error with a traceback."""

from __future__ import annotations

import logging

from telegram.error import TelegramError

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

PTB_REQUEST_LOGGER = "telegram.request.BaseRequest"
INVALID_JSON = "Can not load invalid JSON data"
"""What python-telegram-bot logs, as an ERROR with a traceback, for an answer that is not
JSON (the proxy's HTML page of a 502); it then raises a TelegramError, which we report."""


class RedactToken(logging.Filter):
    """Replaces the token wherever it appears (URLs in library messages, tracebacks)."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.token:
            return True
        message = record.getMessage()
        if self.token in message:
            record.msg = message.replace(self.token, "<token>")
            record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            if self.token in text:
                record.exc_text = text.replace(self.token, "<token>")
        return True


class DropInvalidJsonError(logging.Filter):
    """Drops the library's ERROR about a non-JSON answer: the TelegramError raised right
    after it reaches our code (the poller, the sender), which logs it as one warning."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.msg, str) and record.msg.startswith(INVALID_JSON))


def quiet_passing_failures() -> None:
    """Install DropInvalidJsonError on python-telegram-bot's request logger (once)."""
    logger = logging.getLogger(PTB_REQUEST_LOGGER)
    if not any(isinstance(f, DropInvalidJsonError) for f in logger.filters):
        logger.addFilter(DropInvalidJsonError())


def failure(error: TelegramError) -> str:
    """A Telegram failure in one short line: its kind and Telegram's words, without the page
    a proxy answered with ("NetworkError: Bad Gateway (502)")."""
    message = error.message.split(". Parsing the server response", 1)[0]
    return f"{type(error).__name__}: {' '.join(message.split())}"


def configure(token: str, level: int = logging.INFO, *, secrets: tuple[str, ...] = ()) -> None:
    """Log to stderr; every handler redacts the token, and the other `secrets` (the webhook's
    secret token)."""
    logging.basicConfig(format=FORMAT, level=level)
    # httpx logs every request URL, and a Bot API URL contains the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    for handler in logging.getLogger().handlers:
        for secret in (token, *secrets):
            handler.addFilter(RedactToken(secret))
