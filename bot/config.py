"""The bot's one settings object, read from the environment or `.env`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.pacing import Pacing

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER_TOKENS = {"", "changeme", "ganti-dengan-token-bot", "123456:ABC"}
PLACEHOLDER_SECRETS = {"changeme", "ganti-dengan-rahasia-acak", "secret", "rahasia"}
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
"""Telegram's rule for setWebhook's secret_token: 1-256 characters of A-Z, a-z, 0-9, _ and -."""
SHORTEST_SECRET = 16
"""Ours: a shorter secret could be guessed."""


class ConfigError(Exception):
    """The configuration cannot be used; the message says what to set."""


@dataclass(frozen=True)
class WebhookConfig:
    """Webhook mode (`renja-bot run --webhook`), checked: see `Settings.webhook`."""

    listen_host: str
    port: int
    path: str
    url: str
    secret_token: str
    health_path: str


TELEGRAM_BOT_API = "https://api.telegram.org/bot"
"""Telegram's own Bot API (a self-hosted Bot API server has another address)."""
TELEGRAM_WEBHOOK_PORTS = (443, 80, 88, 8443)
"""The ports Telegram's own Bot API posts webhooks to (a self-hosted server: any)."""


def _telegram_webhook_url(url: str) -> None:
    """Refuse a WEBHOOK_URL that Telegram's own Bot API refuses: HTTPS only, on one of its
    ports (a self-hosted Bot API server, TELEGRAM_API_BASE_URL, takes HTTP and any port)."""
    parts = urlsplit(url)
    try:
        port = parts.port or 443
    except ValueError:
        port = 0
    if parts.scheme != "https" or port not in TELEGRAM_WEBHOOK_PORTS:
        ports = ", ".join(str(p) for p in TELEGRAM_WEBHOOK_PORTS)
        raise ConfigError(
            f"WEBHOOK_URL {url} tidak diterima Telegram: harus HTTPS, di port {ports} "
            "(misalnya https://renja.bappeda.example.go.id/telegram). Server Bot API sendiri "
            "(TELEGRAM_API_BASE_URL) boleh HTTP dan port lain."
        )


class Settings(BaseSettings):
    """Every setting of the bot; documented one by one in `.env.example`."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr = SecretStr("")
    telegram_api_base_url: str = TELEGRAM_BOT_API
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
    webhook_listen_host: str = "127.0.0.1"
    """Webhook mode: the address the bot's web server listens on (behind the proxy)."""
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    webhook_path: str = "/telegram"
    """The path Telegram posts updates to, on the bot's server and in WEBHOOK_URL."""
    webhook_url: str = ""
    """The public HTTPS address Telegram posts to (the proxy's), given to setWebhook."""
    webhook_secret_token: SecretStr = SecretStr("")
    webhook_health_path: str = "/sehat"
    inbox_lease_seconds: float = Field(default=15.0, ge=1)
    """Webhook mode: an update kept this long by a process that no longer renews it (it died)
    is handled by another process, or by the next one to start."""

    @field_validator("webhook_path", "webhook_health_path")
    @classmethod
    def _absolute_path(cls, value: str) -> str:
        if not value.startswith("/") or any(c.isspace() or c in "?#" for c in value):
            raise ValueError("harus diawali '/', tanpa spasi, '?' atau '#' (contoh: /telegram)")
        return value

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

    def webhook(self) -> WebhookConfig:
        """Webhook mode's settings, refusing a missing URL or a missing, placeholder or
        malformed secret token with a clear message."""
        secret = self.webhook_secret_token.get_secret_value().strip()
        if not secret or secret.lower() in PLACEHOLDER_SECRETS:
            raise ConfigError(
                "WEBHOOK_SECRET_TOKEN belum diisi atau masih contoh. Buat rahasia acak, misalnya "
                "dengan: openssl rand -hex 32, lalu isi di berkas .env (lihat .env.example)."
            )
        if not SECRET_TOKEN.fullmatch(secret):
            raise ConfigError(
                "WEBHOOK_SECRET_TOKEN hanya boleh berisi huruf A-Z a-z, angka 0-9, '_' dan '-', "
                "paling banyak 256 karakter (aturan Telegram). Buat dengan: openssl rand -hex 32."
            )
        if len(secret) < SHORTEST_SECRET:
            raise ConfigError(
                f"WEBHOOK_SECRET_TOKEN terlalu pendek ({len(secret)} karakter; paling sedikit "
                f"{SHORTEST_SECRET}). Buat dengan: openssl rand -hex 32."
            )
        url = self.webhook_url.strip()
        if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s]*)?", url):
            raise ConfigError(
                "WEBHOOK_URL belum diisi: alamat HTTPS publik yang diteruskan proxy ke bot, "
                f"misalnya https://renja.bappeda.example.go.id{self.webhook_path} "
                "(lihat .env.example)."
            )
        if self.telegram_api_base_url.rstrip("/") == TELEGRAM_BOT_API.rstrip("/"):
            _telegram_webhook_url(url)
        if self.webhook_path == self.webhook_health_path:
            raise ConfigError("WEBHOOK_PATH dan WEBHOOK_HEALTH_PATH harus berbeda.")
        return WebhookConfig(
            listen_host=self.webhook_listen_host,
            port=self.webhook_port,
            path=self.webhook_path,
            url=url,
            secret_token=secret,
            health_path=self.webhook_health_path,
        )

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
