"""Officials: positions held, and for an acting official only for the period."""

from __future__ import annotations

from datetime import timedelta

from bot.usecases import officials
from bot.usecases.base import Services
from storage.models import Official
from tests.conftest import FakeClock


def test_acting_official_holds_the_position_only_for_the_period(
    services: Services, clock: FakeClock
) -> None:
    officials.register_official(
        services,
        telegram_id=900,
        name="Hadi",
        position="kepala_badan",
        acting="Plh.",
        valid_until=clock.now + timedelta(days=3),
    )
    assert officials.actor(services, telegram_id=900).holdings[0].acting == "Plh."
    clock.advance(days=4)
    assert officials.actor(services, telegram_id=900).holdings == ()
    with services.session() as session:
        assert session.get(Official, 1) is not None
