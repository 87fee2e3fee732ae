"""The roster while an acting official stands in for a holder, and the periods' rows."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from bot.usecases.base import Services
from storage import acting as acting_store
from storage import agencies as agency_store
from storage import officials as official_store
from storage import reminders as reminder_store
from tests.conftest import FakeClock


def _utama(session: Session) -> int:
    return agency_store.default_agency(session).id or 0


def names(session: Session, position: str, at: FakeClock, **later: float) -> list[str]:
    roster = official_store.roster(
        session, agency_id=_utama(session), now=at.now + timedelta(**later)
    )
    return [f"{h.acting or ''}{h.name}" for h in roster.get(position, ())]


def test_the_acting_official_takes_the_holders_place_for_the_period(
    office: Services, clock: FakeClock
) -> None:
    with office.session() as session:
        (budi, _), *_ = acting_store.holders(
            session, agency_id=_utama(session), position="sekretaris", now=clock.now
        )
        citra = official_store.official_by_telegram_id(session, telegram_id=103)
        assert citra is not None and citra.id is not None and budi.id is not None
        official_store.assign_position(
            session,
            official_id=citra.id,
            position="sekretaris",
            unit=budi.unit,
            acting="Plh.",
            valid_from=clock.now + timedelta(hours=1),
            valid_until=clock.now + timedelta(hours=8),
            replaces_id=budi.id,
        )
        assert names(session, "sekretaris", clock) == ["Budi Sekretaris"]
        assert names(session, "sekretaris", clock, hours=1) == ["Plh.Citra Kabid Ekonomi"]
        assert names(session, "sekretaris", clock, hours=8) == ["Budi Sekretaris"]
        # Citra keeps her own position beside it; Budi holds nothing while she acts.
        staff = official_store.staff(
            session, agency_id=_utama(session), now=clock.now + timedelta(hours=1)
        )
        assert [h.position for h in staff.holdings[citra.id]] == ["kepala_bidang", "sekretaris"]
        assert budi.official_id not in staff.holdings
        during = clock.now + timedelta(hours=1)
        alone = official_store.actor(session, telegram_id=102, now=during)
        assert alone is not None and alone.holdings == ()
        back = official_store.actor(session, telegram_id=102, now=clock.now + timedelta(hours=8))
        assert back is not None and [h.position for h in back.holdings] == ["sekretaris"]
        # The holder is still the holder in their own right (for the next /plh).
        assert [
            o.name
            for _, o in acting_store.holders(
                session, agency_id=_utama(session), position="sekretaris", now=during
            )
        ] == ["Budi Sekretaris"]


def test_an_acting_official_who_replaces_nobody_is_one_holder_more(
    office: Services, clock: FakeClock
) -> None:
    with office.session() as session:
        rina = official_store.official_by_telegram_id(session, telegram_id=101)
        assert rina is not None and rina.id is not None
        official_store.assign_position(
            session,
            official_id=rina.id,
            position="sekretaris",
            acting="Plt.",
            valid_from=clock.now,
        )
        assert names(session, "sekretaris", clock) == ["Budi Sekretaris", "Plt.Rina Kasubbag"]


def test_a_period_ends_once_and_sets_the_alarm(office: Services, clock: FakeClock) -> None:
    with office.session() as session:
        (budi, _), *_ = acting_store.holders(
            session, agency_id=_utama(session), position="sekretaris", now=clock.now
        )
        until = clock.now + timedelta(hours=8)
        period = acting_store.propose(
            session,
            acting="Plh.",
            position="sekretaris",
            unit=budi.unit,
            official_id=3,
            holder_id=budi.official_id,
            replaces_id=budi.id or 0,
            valid_until=until,
            proposed_by=105,
            now=clock.now,
        )
        assert period.id is not None
        assert acting_store.next_end(session) is None  # a proposal ends nothing
        assert acting_store.decide(
            session, period_id=period.id, status=acting_store.SET, now=clock.now
        )
        assert not acting_store.decide(
            session, period_id=period.id, status=acting_store.CANCELLED, now=clock.now
        )
        assert acting_store.next_end(session) == until
        assert reminder_store.next_alarm(session) == until
        assert acting_store.overlapping(
            session,
            agency_id=_utama(session),
            position="sekretaris",
            unit=budi.unit,
            start=until - timedelta(1),
            end=until,
        )
        assert not acting_store.overlapping(
            session,
            agency_id=_utama(session),
            position="sekretaris",
            unit=budi.unit,
            start=until,
            end=until + timedelta(1),
        )
        assert acting_store.due_ends(session, now=until - timedelta(seconds=1)) == []
        (due,) = acting_store.due_ends(session, now=until)
        assert acting_store.claim_end(session, period_id=due.id or 0, now=until)
        assert not acting_store.claim_end(session, period_id=due.id or 0, now=until)
        assert acting_store.next_end(session) is None
        session.commit()
