"""Starting a draft of any SOP: /baru lists the SOPs an official may start, a press picks
one, and the next text is the draft's title. An SOP may also name a shortcut command of its
own (`perintah: renja_baru`)."""

from __future__ import annotations

from dataclasses import dataclass

from bot import notify, texts
from bot.callbacks import Press, Verb
from bot.usecases import agencies, drafts
from bot.usecases.base import Origin, Services, require_actor, require_member
from bot.usecases.errors import InvalidInput
from bot.usecases.views import Outcome
from storage import conversations as conversation_store
from storage import meetings as input_store
from workflow.engine import Actor
from workflow.sop import Sop

TITLE = "judul_draft"
"""What the bot waits for after a press of /baru (the MeetingInput kind)."""


@dataclass(frozen=True)
class Startable:
    number: int
    """Its place among every loaded SOP, sorted by id (what the button carries)."""
    sop: Sop


def startable(services: Services, *, telegram_id: int) -> list[Startable]:
    """The SOPs this official may start: those of their agency, or of every agency, whose
    first task they hold."""
    now = services.clock()
    with services.reading() as session:
        member = require_member(session, telegram_id=telegram_id, now=now)
        offered = agencies.offered(session, _ordered(services), agency_id=member.agency_id)
    ids = {sop.id for sop in offered}
    return [
        Startable(number, sop)
        for number, sop in enumerate(_ordered(services))
        if sop.id in ids and _may_start(sop, member.actor)
    ]


def by_command(services: Services, *, command: str) -> Sop | None:
    """The SOP whose file names this shortcut command."""
    return next((sop for sop in _ordered(services) if sop.perintah == command), None)


def shortcuts(services: Services) -> dict[str, Sop]:
    return {sop.perintah: sop for sop in _ordered(services) if sop.perintah}


def offer(services: Services, *, telegram_id: int) -> None:
    """/baru: the SOPs this official may start, one button each."""
    found = startable(services, telegram_id=telegram_id)
    if not found:
        raise InvalidInput(texts.NOTHING_TO_START)
    buttons = [(s.sop.identitas.judul, Press(Verb.BARU, s.number, 0)) for s in found]
    with services.session() as session:
        notify.write(
            session,
            [notify.text(telegram_id, texts.CHOOSE_SOP, keyboard=notify.keyboard(buttons))],
        )
        session.commit()


def choose(services: Services, *, telegram_id: int, number: int) -> None:
    """An SOP was picked: ask for the draft's title."""
    ordered = _ordered(services)
    if number >= len(ordered):
        raise InvalidInput(texts.CHOICE_GONE)
    sop = ordered[number]
    now = services.clock()
    with services.session() as session:
        member = require_member(session, telegram_id=telegram_id, now=now)
        actor = member.actor
        if not agencies.offers(session, sop, agency_id=member.agency_id):
            raise InvalidInput(texts.sop_of_other_agency(sop.identitas.judul))
        if not _may_start(sop, actor):
            raise InvalidInput(texts.cannot_start(sop.identitas.judul))
        conversation_store.clear_pending_reply(session, official_id=actor.official_id)
        input_store.set_input(
            session,
            official_id=actor.official_id,
            kind=TITLE,
            step=TITLE,
            now=now,
            data={"sop_id": sop.id},
            chat_id=telegram_id,
        )
        notify.write(session, [notify.text(telegram_id, texts.ask_title(sop))])
        session.commit()


def take_title(
    services: Services, *, telegram_id: int, text: str, origin: Origin | None = None
) -> Outcome | None:
    """The awaited title: the draft starts. None when no title is awaited."""
    now = services.clock()
    with services.reading() as session:
        actor = require_actor(session, telegram_id=telegram_id, now=now)
        pending = input_store.pending_input(session, official_id=actor.official_id)
    if pending is None or pending.kind != TITLE:
        return None
    sop_id = str(pending.data.get("sop_id", ""))
    if sop_id not in services.sops:
        raise InvalidInput(texts.CHOICE_GONE)
    return drafts.start_draft(
        services, telegram_id=telegram_id, title=text, sop_id=sop_id, origin=origin
    )


def _ordered(services: Services) -> list[Sop]:
    return [services.sops[key] for key in sorted(services.sops)]


def _may_start(sop: Sop, actor: Actor) -> bool:
    first = sop.first_task()
    return any(h.position in first.oleh for h in actor.holdings)
