"""The bot's one settings object, read from the environment or `.env`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.pacing import Pacing

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER_TOKENS = {"", "changeme", "ganti-dengan-token-bot", "123456:ABC"}


class ConfigError(Exception):
    """The configuration cannot be used; the message says what to set."""


class Settings(BaseSettings):
    """Every setting of the bot; documented one by one in `.env.example`."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr = SecretStr("")
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_api_file_url: str = "https://api.telegram.org/file/bot"
    database_url: str = "sqlite:///data/renja.db"
    files_dir: Path = Path("data/files")
    sops_dir: Path = PROJECT_ROOT / "sops"
    organization_file: Path = PROJECT_ROOT / "config" / "organisasi.yaml"
    """The office's positions, units and outside parties, which every SOP file names."""
    calendar_file: Path = PROJECT_ROOT / "config" / "kalender.yaml"
    admin_telegram_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    report_positions: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["kepala_badan", "sekretaris"]
    )
    """Positions (keys of the organisation) whose holders may ask for /laporan."""
    timezone: str = "Asia/Pontianak"
    max_upload_mb: int = Field(default=20, ge=1, le=2000)
    invite_valid_hours: int = Field(default=72, ge=1)
    send_private_per_second: float = Field(default=1.0, gt=0)
    send_private_burst: int = Field(default=3, ge=1)
    send_group_per_minute: float = Field(default=20.0, gt=0)
    send_global_per_second: float = Field(default=30.0, gt=0)
    send_backoff_cap_seconds: float = Field(default=300.0, ge=1)
    outbox_lease_seconds: float = Field(default=60.0, ge=5)
    meeting_minutes: int = Field(default=120, ge=15, le=720)
    """How long a meeting lasts (its calendar file's end)."""
    meeting_organizer_email: str = "renja-bot@bappeda.invalid"
    """The ORGANIZER address in meeting calendar files (Telegram users have no e-mail)."""
    group_edit_seconds: float = Field(default=10.0, ge=0)
    """A group's attendance summary is edited at most once in this many seconds."""

    @field_validator("admin_telegram_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return [int(part) for part in value.replace(";", ",").split(",") if part.strip()]
        if isinstance(value, int):
            return [value]
        return value

    @field_validator("report_positions", mode="before")
    @classmethod
    def _split_keys(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]
        return value

    def bot_token(self) -> str:
        """The token, refusing a missing or placeholder one with a clear message."""
        token = self.telegram_bot_token.get_secret_value().strip()
        if token.lower() in PLACEHOLDER_TOKENS or ":" not in token:
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN belum diisi atau masih contoh. Minta token dari @BotFather, "
                "lalu isi di berkas .env (lihat .env.example)."
            )
        return token

    def pacing(self) -> Pacing:
        """The sender's limits, from the SEND_* settings."""
        return Pacing(
            private_per_second=self.send_private_per_second,
            private_burst=self.send_private_burst,
            group_per_minute=self.send_group_per_minute,
            global_per_second=self.send_global_per_second,
            backoff_cap_seconds=self.send_backoff_cap_seconds,
            lease_seconds=self.outbox_lease_seconds,
        )

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024
