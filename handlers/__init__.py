"""Telegram handlers: each reads the update, calls one use case, renders the answer."""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import texts
from bot.usecases import starting
from handlers import buttons, commands, lists, meetings, text, uploads
from handlers.context import BotApplication

HANDLERS = {
    "start": commands.start,
    "bantuan": commands.bantuan,
    "baru": commands.baru,
    "tugas": lists.tugas,
    "status": lists.status,
    "riwayat": commands.riwayat,
    "sop": commands.sop,
    "laporan": commands.laporan,
    "batal": commands.batal,
    "plh": commands.plh,
    "plt": commands.plt,
    "undang": commands.undang,
    "kotak_keluar": commands.kotak_keluar,
    "rapat": meetings.rapat,
    "forum_grup": meetings.forum_grup,
}
"""Every command of `bot.texts.COMMANDS` (the one table: menus, /bantuan) with its handler."""


GROUP_COMMANDS = frozenset({"forum_grup"})
"""Commands also taken in a group (the others only in private chats)."""


def register(application: BotApplication) -> None:
    """Register every handler. Order matters: edits first (they must not act), then
    commands before the catch-all text handler."""
    private = filters.ChatType.PRIVATE
    new = filters.UpdateType.MESSAGE
    application.add_handler(MessageHandler(filters.UpdateType.EDITED, text.edited))
    for command in texts.COMMANDS:
        callback = HANDLERS[command.name]
        where = new if command.name in GROUP_COMMANDS else private & new
        application.add_handler(CommandHandler(command.name, callback, filters=where))
    application.add_handler(CommandHandler("help", commands.bantuan, filters=private & new))
    for name in starting.shortcuts(application.bot_data.services):  # /renja_baru, ...
        application.add_handler(
            CommandHandler(name, commands.start_by_shortcut, filters=private & new)
        )
    application.add_handler(CallbackQueryHandler(buttons.button))
    application.add_handler(
        MessageHandler(
            private & new & (filters.Document.ALL | filters.PHOTO), uploads.file_received
        )
    )
    application.add_handler(
        MessageHandler(private & new & filters.COMMAND, commands.unknown_command)
    )
    application.add_handler(MessageHandler(private & new & filters.TEXT, text.text_received))
    application.add_handler(
        MessageHandler(
            private
            & new
            & (
                filters.Sticker.ALL
                | filters.VOICE
                | filters.LOCATION
                | filters.CONTACT
                | filters.AUDIO
                | filters.VIDEO
                | filters.VIDEO_NOTE
                | filters.ANIMATION
                | filters.POLL
            ),
            text.other_content,
        )
    )
