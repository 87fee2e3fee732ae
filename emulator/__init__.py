"""Telegram Bot API emulator for tests and demos.

:class:`BotApiEmulator` serves the real Bot API on 127.0.0.1 so an unmodified
python-telegram-bot ``Application`` can long-poll it; :class:`EmulatorClient` and
:class:`SimulatedUser` play the humans on the other side.
"""

from emulator.client import (
    BotMessage,
    Button,
    CallbackAnswer,
    EmulatorClient,
    EmulatorError,
    FileInfo,
    LogEntry,
    MenuCommand,
    MessageVersion,
    SimulatedUser,
)
from emulator.server import BotApiEmulator

__all__ = [
    "BotApiEmulator",
    "BotMessage",
    "Button",
    "CallbackAnswer",
    "EmulatorClient",
    "EmulatorError",
    "FileInfo",
    "LogEntry",
    "MenuCommand",
    "MessageVersion",
    "SimulatedUser",
]
