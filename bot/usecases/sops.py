"""SOPs as an official reads them (/sop): the flowchart picture and the mutu baku table."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path

from bot import notify, texts
from bot.usecases import agencies, officials
from bot.usecases.base import Services, require_member
from bot.usecases.errors import InvalidInput
from storage import files
from workflow.flowchart import DRAWING_VERSION, draw_flowchart, png_size
from workflow.sop import Sop

PHOTO_MAX_SIDE = 2560
"""Telegram shows a photo at up to this many pixels on its longer side; a longer flowchart
(an SOP of many rows) goes as a PNG document, so that it stays sharp when zoomed."""

_drawing = threading.Lock()
"""One drawing at a time: two officials asking at once get the same picture, drawn once."""


@dataclass(frozen=True)
class Picture:
    """An SOP's flowchart, kept as a PNG file."""

    path: Path
    width: int
    height: int

    @property
    def as_photo(self) -> bool:
        return max(self.width, self.height) <= PHOTO_MAX_SIDE


def picture_name(sop: Sop) -> str:
    """The file of this SOP's picture: named by what it is drawn from (the SOP's content and
    the drawing's version), so a changed SOP file or drawing gets a new picture."""
    digest = hashlib.sha256(f"{DRAWING_VERSION}\n{sop.model_dump_json()}".encode()).hexdigest()
    return f"{sop.id}-{digest[:16]}.png"


def flowchart(services: Services, *, sop: Sop) -> Picture:
    """The SOP's flowchart picture, drawn the first time it is asked for and kept since."""
    name = picture_name(sop)
    path = files.picture(services.files_dir, name=name)
    with _drawing:
        if not path.exists():
            path = files.keep_picture(services.files_dir, name=name, data=draw_flowchart(sop))
    with path.open("rb") as stream:
        width, height = png_size(stream.read(24))
    return Picture(path.resolve(), width, height)


def readable(services: Services, *, telegram_id: int) -> list[Sop]:
    """The SOPs this account may read, by id: a province-level administrator every one; an
    official those their agency runs (its own and the shared ones); a stranger is refused."""
    ordered = [services.sops[key] for key in sorted(services.sops)]
    if officials.is_province_admin(services, telegram_id=telegram_id):
        return ordered
    with services.reading() as session:
        member = require_member(session, telegram_id=telegram_id, now=services.clock())
        return agencies.offered(session, ordered, agency_id=member.agency_id)


def choose(services: Services, *, telegram_id: int, sop_id: str | None) -> Sop:
    """The SOP asked for by id, or the office's default one, among those the account may
    read: another agency's own SOP is refused as one that does not exist."""
    known = {sop.id: sop for sop in readable(services, telegram_id=telegram_id)}
    if not known:
        raise InvalidInput(texts.NO_SOP_FOR_AGENCY)
    if sop_id is None:
        return known.get(services.default_sop) or next(iter(known.values()))
    if sop_id not in known:
        raise InvalidInput(texts.unknown_sop(sop_id, list(known)))
    return known[sop_id]


def send_sop(
    services: Services, *, telegram_id: int, chat_id: int, sop_id: str | None = None
) -> None:
    """Owe the SOP to a chat: its flowchart picture, then its mutu baku table as text."""
    sop = choose(services, telegram_id=telegram_id, sop_id=sop_id)
    found = flowchart(services, sop=sop)
    messages = [
        notify.picture(
            chat_id,
            found.path,
            file_name=f"sop-{sop.id}.png",
            caption=texts.sop_picture_caption(sop),
            as_photo=found.as_photo,
        ),
        notify.text(chat_id, texts.sop_message(sop)),
    ]
    with services.session() as session:
        notify.write(session, messages)
        session.commit()
