"""The services every handler reaches through `bot_data`."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from telegram.ext import ContextTypes

from bot.config import Settings
from bot.usecases import Workflow


@dataclass(frozen=True)
class Services:
    """Kept in `bot_data`: the use cases and the settings."""

    workflow: Workflow
    settings: Settings

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.settings.timezone)


SERVICES_KEY = "services"


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    found = context.bot_data[SERVICES_KEY]
    assert isinstance(found, Services)
    return found
