"""The typed context every handler and job receives, as in PTB's `contexttypesbot.py`."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeAlias, TypeVar

from telegram import InlineKeyboardMarkup
from telegram.ext import Application, CallbackContext, ExtBot

from bot import notify
from bot.sender import Sender
from bot.usecases.base import Services

P = ParamSpec("P")
R = TypeVar("R")


class BotData:
    """What `application.bot_data` holds: the use cases' services and the sender."""

    services: Services
    sender: Sender | None = None

    def __init__(self) -> None:
        self.updates_in_flight: set[asyncio.Task[None]] = set()
        """Updates being handled now (bot/inbox.py: polled or posted to the webhook)."""


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    """Registered with `ContextTypes(context=BotContext, bot_data=BotData)`."""

    end_turn: Callable[[], None] = staticmethod(lambda: None)
    """Ends the person's turn (handlers/common.py `Turns`) once the handler's state changes
    are made; set for each update handled in a turn."""

    @property
    def services(self) -> Services:
        return self.bot_data.services

    async def call(
        self, use_case: Callable[Concatenate[Services, P], R], *args: P.args, **kwargs: P.kwargs
    ) -> R:
        """Run a use case off the event loop, then let the sender see what it wrote."""
        try:
            return await asyncio.to_thread(use_case, self.services, *args, **kwargs)
        finally:
            self.wake_sender()

    async def reply(
        self, chat_id: int, html: str, *, keyboard: InlineKeyboardMarkup | None = None
    ) -> None:
        """Answer in a chat: a message owed like any other, delivered by the sender."""
        await self.call(_say, chat_id=chat_id, html=html, keyboard=keyboard)

    def wake_sender(self) -> None:
        if self.bot_data.sender is not None:
            self.bot_data.sender.wake()


def _say(
    services: Services, *, chat_id: int, html: str, keyboard: InlineKeyboardMarkup | None
) -> None:
    with services.session() as session:
        notify.write(session, [notify.text(chat_id, html, keyboard=keyboard)])
        session.commit()


# The context and job-queue parameters stay open: PTB types `CallbackContext.application`
# with a free context variable, and `ApplicationBuilder.context_types()` does not retype the
# job queue. Callbacks still receive a `BotContext`, and `bot_data` is typed.
BotApplication: TypeAlias = Application[
    ExtBot[None], Any, dict[Any, Any], dict[Any, Any], BotData, Any
]
"""The application `build_application` returns, wherever one is passed around."""
