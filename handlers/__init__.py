"""Telegram handlers: each reads the update, calls one use case, renders the answer."""

from __future__ import annotations

from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from handlers import buttons, commands, text, uploads
from handlers.context import BotApplication


def register(application: BotApplication) -> None:
    """Register every handler. Order matters: commands before the catch-all text handler."""
    private = filters.ChatType.PRIVATE
    for name, callback in (
        ("start", commands.start),
        ("bantuan", commands.bantuan),
        ("help", commands.bantuan),
        ("renja_baru", commands.renja_baru),
        ("tugas", commands.tugas),
        ("status", commands.status),
        ("riwayat", commands.riwayat),
        ("sop", commands.sop),
        ("batal", commands.batal),
        ("undang", commands.undang),
    ):
        application.add_handler(CommandHandler(name, callback, filters=private))
    application.add_handler(CallbackQueryHandler(buttons.button))
    application.add_handler(
        MessageHandler(private & (filters.Document.ALL | filters.PHOTO), uploads.file_received)
    )
    application.add_handler(MessageHandler(private & filters.COMMAND, commands.unknown_command))
    application.add_handler(MessageHandler(private & filters.TEXT, text.text_received))
