"""The log never shows the bot's token, in a message or in a traceback."""

from __future__ import annotations

import io
import logging

from bot.logs import FORMAT, RedactToken

TOKEN = "123456789:secret-value-of-the-test"


def test_the_token_is_redacted_from_messages_and_tracebacks() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(RedactToken(TOKEN))
    log = logging.getLogger("test-redaction")
    log.addHandler(handler)
    log.propagate = False
    try:
        log.warning("POST https://api.telegram.org/bot%s/sendMessage failed", TOKEN)
        try:
            raise RuntimeError(f"connect to /bot{TOKEN}/getUpdates")
        except RuntimeError:
            log.exception("polling failed")
    finally:
        log.removeHandler(handler)
    written = stream.getvalue()
    assert TOKEN not in written
    assert written.count("<token>") == 2
    assert "polling failed" in written and "RuntimeError" in written
