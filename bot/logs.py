"""Logging for `renja-bot run`: plain lines, and never the bot's token."""

from __future__ import annotations

import logging

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


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


def configure(token: str, level: int = logging.INFO) -> None:
    """Log to stderr; every handler redacts the token."""
    logging.basicConfig(format=FORMAT, level=level)
    # httpx logs every request URL, and a Bot API URL contains the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactToken(token))
