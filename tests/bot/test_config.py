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


def test_a_webhook_on_telegrams_ports_or_behind_a_self_hosted_bot_api_server() -> None:
    secret = "k" * 32
    for url in ("https://renja.example.go.id/t", "https://renja.example.go.id:8443/t"):
        config = Settings(_env_file=None, webhook_url=url, webhook_secret_token=secret).webhook()
        assert config.url == url
    # A self-hosted Bot API server (its --local mode) posts over HTTP, to any port.
    local = Settings(
        _env_file=None,
        telegram_api_base_url="http://127.0.0.1:8081/bot",
        webhook_url="http://127.0.0.1:8080/telegram",
        webhook_secret_token=secret,
    )
    assert local.webhook().url == "http://127.0.0.1:8080/telegram"
    with pytest.raises(ConfigError, match="harus HTTPS, di port 443, 80, 88, 8443"):
        Settings(
            _env_file=None, webhook_url="http://127.0.0.1:8080/t", webhook_secret_token=secret
        ).webhook()
