"""The one Settings: every variable documented in .env.example, and webhook mode refused
until its URL and secret token are set."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / ".env.example"


def test_every_setting_is_documented_in_the_example() -> None:
    documented = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", EXAMPLE.read_text(), re.MULTILINE))
    assert {name.upper() for name in Settings.model_fields} <= documented


def test_the_example_as_it_is_does_not_start_a_webhook() -> None:
    settings = Settings(_env_file=EXAMPLE)
    assert settings.webhook_url.startswith("https://")
    with pytest.raises(ConfigError, match="WEBHOOK_SECRET_TOKEN belum diisi atau masih contoh"):
        settings.webhook()
