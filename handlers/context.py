"""The typed context every handler and job receives, as in PTB's `contexttypesbot.py`."""

from __future__ import annotations

from typing import Any, TypeAlias

from telegram.ext import Application, CallbackContext, ExtBot

from bot.usecases.base import Services


class BotData:
    """What `application.bot_data` holds: the use cases' services, set by `build_application`."""

    services: Services


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    """Registered with `ContextTypes(context=BotContext, bot_data=BotData)`."""

    @property
    def services(self) -> Services:
        return self.bot_data.services


# The context and job-queue parameters stay open: PTB types `CallbackContext.application`
# with a free context variable, and `ApplicationBuilder.context_types()` does not retype the
# job queue. Callbacks still receive a `BotContext`, and `bot_data` is typed.
BotApplication: TypeAlias = Application[
    ExtBot[None], Any, dict[Any, Any], dict[Any, Any], BotData, Any
]
"""The application `build_application` returns, wherever one is passed around."""
