"""Fixtures shared by every layer: a migrated database file, the SOPs, a controllable clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.usecases import officials
from bot.usecases.base import Services
from storage.db import make_engine, upgrade
from workflow.calendar import OfficeCalendar
from workflow.sop import Sop, load_sops

ROOT = Path(__file__).resolve().parents[1]
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


@dataclass
class FakeClock:
    """A clock the test moves by hand; always timezone-aware."""

    now: datetime = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)  # Senin 08:00 WIB

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture(scope="session")
def sops() -> dict[str, Sop]:
    return load_sops(ROOT / "sops")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'renja.db'}"
    upgrade(url)
    return url


@pytest.fixture
def services(
    tmp_path: Path, database_url: str, sops: dict[str, Sop], clock: FakeClock
) -> Services:
    return Services(
        engine=make_engine(database_url),
        sops=sops,
        calendar=OfficeCalendar.default(),
        clock=clock,
        files_dir=tmp_path / "files",
        max_upload_bytes=MAX_UPLOAD_BYTES,
    )


OFFICIALS = [
    # telegram id, name, position, unit
    (101, "Rina Kasubbag", "kasubbag_renja", None),
    (102, "Budi Sekretaris", "sekretaris", "Sekretariat"),
    (103, "Citra Kabid Ekonomi", "kepala_bidang", "Bidang Ekonomi"),
    (104, "Dodi Kabid Infrastruktur", "kepala_bidang", "Bidang Infrastruktur"),
    (105, "Eka Kepala Badan", "kepala_badan", None),
    (106, "Fajar Dinas PU", "forum_skpd", "Dinas PU"),
    (107, "Gita Dinas Pendidikan", "forum_skpd", "Dinas Pendidikan"),
]


@pytest.fixture
def office(services: Services) -> Services:
    """The services, with the seven officials of the Renja SOP registered."""
    for telegram_id, name, position, unit in OFFICIALS:
        officials.register_official(
            services, telegram_id=telegram_id, name=name, position=position, unit=unit
        )
    return services
