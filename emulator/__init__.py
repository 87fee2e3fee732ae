"""Telegram Bot API emulator for tests and demos.

:class:`BotApiEmulator` serves the real Bot API on 127.0.0.1 so an unmodified
python-telegram-bot ``Application`` can long-poll it, or receive its updates by webhook;
:class:`EmulatorClient`, :class:`SimulatedUser` and :class:`SimulatedGroup` play the humans
on the other side.
"""

from emulator.client import (
    BotMessage,
    Button,
    CallbackAnswer,
    ChatStats,
    EmulatorClient,
    EmulatorError,
    FileInfo,
    LogEntry,
    MenuCommand,
    MessageVersion,
    SendStats,
    SimulatedGroup,
    SimulatedUser,
)
from emulator.limits import FaultPlan, FloodLimits
from emulator.server import BotApiEmulator
from emulator.webhook import WebhookRetry

__all__ = [
    "BotApiEmulator",
    "BotMessage",
    "Button",
    "CallbackAnswer",
    "ChatStats",
    "EmulatorClient",
    "EmulatorError",
    "FaultPlan",
    "FileInfo",
    "FloodLimits",
    "LogEntry",
    "MenuCommand",
    "MessageVersion",
    "SendStats",
    "SimulatedGroup",
    "SimulatedUser",
    "WebhookRetry",
]
