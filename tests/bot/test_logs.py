"""The log never shows the bot's token, and tells a passing failure in one line."""

from __future__ import annotations

import io
import logging

import pytest
from telegram.error import NetworkError, TimedOut

from bot.logs import (
    FORMAT,
    PTB_REQUEST_LOGGER,
    DropInvalidJsonError,
    RedactToken,
    failure,
    quiet_passing_failures,
)

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


def test_only_the_librarys_invalid_json_error_is_dropped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    quiet_passing_failures()
    quiet_passing_failures()  # installed once, however often it is asked
    library = logging.getLogger(PTB_REQUEST_LOGGER)
    assert sum(isinstance(f, DropInvalidJsonError) for f in library.filters) == 1
    try:
        raise ValueError("Expecting value: line 1 column 1 (char 0)")
    except ValueError:
        library.exception('Can not load invalid JSON data: "%s"', "<html>502</html>")
        library.exception("something else went wrong")
    assert [r.getMessage() for r in caplog.records] == ["something else went wrong"]


def test_a_failure_is_told_in_one_short_line() -> None:
    page = b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n</html>\r\n"
    bad_gateway = NetworkError(f"Bad Gateway (502). Parsing the server response {page!r} failed")
    assert failure(bad_gateway) == "NetworkError: Bad Gateway (502)"
    assert failure(TimedOut()) == "TimedOut: Timed out"
    assert failure(NetworkError("Bad\n  Gateway")) == "NetworkError: Bad Gateway"
