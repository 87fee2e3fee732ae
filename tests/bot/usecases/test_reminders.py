"""Reminders: each is claimed once, and the next alarm follows from the rows."""

from __future__ import annotations

from datetime import timedelta

from bot.usecases import drafts, reminders
from bot.usecases.base import Services
from storage import reminders as reminder_store
from tests.conftest import FakeClock


def test_a_reminder_is_claimed_once(office: Services, clock: FakeClock) -> None:
    drafts.start_draft(office, telegram_id=101, title="Renja 2027")
    clock.advance(minutes=48)
    (notice,) = reminders.deliver_due_reminders(office)
    assert notice.kind.value == "hampir"
    assert [p.telegram_id for p in notice.recipients] == [101]
    assert reminders.deliver_due_reminders(office) == []
    with office.session() as session:
        (sent, *_) = reminder_store.reminders_of(session, draft_id=1)
        assert sent.sent_at == clock.now
        assert not reminder_store.claim(session, reminder_id=sent.id or 0, now=clock.now)
    assert reminders.next_reminder_at(office) == clock.now + timedelta(minutes=12)
