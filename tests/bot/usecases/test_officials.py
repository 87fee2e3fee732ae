"""Officials: positions held, and for an acting official only for the period."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.usecases import officials
from bot.usecases.base import Services
from bot.usecases.errors import InvalidInput
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


def refusal(services: Services, position: str, unit: str | None = None) -> str:
    with pytest.raises(InvalidInput) as error:
        officials.register_official(
            services, telegram_id=901, name="Indra", position=position, unit=unit
        )
    return str(error.value)


def test_positions_are_the_offices_not_a_files(services: Services) -> None:
    # A position of the office that no SOP names yet can be held.
    officials.register_official(services, telegram_id=902, name="Joko", position="staf_umum")
    assert "Jabatan 'kepala_seksi' tidak dikenal. Pilihan: forum_skpd, kasubbag_renja, " in (
        refusal(services, "kepala_seksi")
    )
    assert "bagian_organisasi" not in officials.holdable_positions(services)
    names = officials.position_names(services)
    assert names["kasubbag_umum"] == "Kasubbag. Umum" and names["forum_skpd"] == "Forum SKPD"


def test_units_are_the_offices(services: Services) -> None:
    assert "dipegang per unit: sebutkan unitnya" in refusal(services, "kepala_bidang")
    assert "Unit 'Bidang Kelautan' tidak ada di organisasi kantor. Pilihan: Sekretariat" in (
        refusal(services, "kepala_bidang", "Bidang Kelautan")
    )
    view = officials.register_official(
        services, telegram_id=903, name="Kiki", position="kepala_bidang", unit="bidang ekonomi"
    )
    assert view.positions == (("kepala_bidang", "Bidang Ekonomi", None),)


def test_outside_parties(services: Services) -> None:
    assert "dari luar kantor: sebutkan instansinya" in refusal(services, "forum_skpd")
    view = officials.register_official(
        services, telegram_id=904, name="Lina", position="forum_skpd", unit="Dinas PU"
    )
    assert view.positions == (("forum_skpd", "Dinas PU", None),)
    assert (
        "Bagian Organisasi Setda adalah pihak luar yang tidak diundang: hasilnya dicatat oleh "
        "Kasubbag. Renja & Monev atas nama mereka."
    ) in refusal(services, "bagian_organisasi", "Setda")
