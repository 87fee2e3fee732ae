"""The office the demo plays and the tests run on: seven officials who hold every position of
the Renja SOP (sops/menyusun-rencana-kerja.yaml), each with a Telegram id; and a second
agency of the same province, for the tests of several agencies side by side."""

from __future__ import annotations

from dataclasses import dataclass

from bot.usecases import agencies, officials
from bot.usecases.base import Services


@dataclass(frozen=True)
class SampleOfficial:
    key: str
    """How the demo's steps name them."""
    telegram_id: int
    name: str
    position: str
    unit: str | None = None

    @property
    def first_name(self) -> str:
        """Their Telegram first name (and the name the demo registers them by)."""
        return self.name.split()[0]


OFFICIALS: tuple[SampleOfficial, ...] = (
    SampleOfficial("rina", 101, "Rina Kasubbag", "kasubbag_renja"),
    SampleOfficial("budi", 102, "Budi Sekretaris", "sekretaris", "Sekretariat"),
    SampleOfficial("citra", 103, "Citra Kabid Ekonomi", "kepala_bidang", "Bidang Ekonomi"),
    SampleOfficial(
        "dodi", 104, "Dodi Kabid Infrastruktur", "kepala_bidang", "Bidang Infrastruktur"
    ),
    SampleOfficial("eka", 105, "Eka Kepala Badan", "kepala_badan"),
    SampleOfficial("fajar", 106, "Fajar Dinas PU", "forum_skpd", "Dinas PU"),
    SampleOfficial("gita", 107, "Gita Dinas Pendidikan", "forum_skpd", "Dinas Pendidikan"),
)


def register_officials(services: Services, *, first_names: bool = False) -> None:
    """Register the seven officials, by their full names or (`first_names`) their first."""
    for official in OFFICIALS:
        officials.register_official(
            services,
            telegram_id=official.telegram_id,
            name=official.first_name if first_names else official.name,
            position=official.position,
            unit=official.unit,
        )


SECOND_AGENCY = ("dinkes", "Dinas Kesehatan Provinsi Kalimantan Barat")
"""A second agency of the same province (key, name), which writes its own Renja."""

SECOND_OFFICIALS: tuple[SampleOfficial, ...] = (
    SampleOfficial("sari", 201, "Sari Kasubbag Dinkes", "kasubbag_renja"),
    SampleOfficial("tono", 202, "Tono Sekretaris Dinkes", "sekretaris", "Sekretariat"),
    SampleOfficial("umar", 203, "Umar Kabid Dinkes", "kepala_bidang", "Bidang Sosial Budaya"),
    SampleOfficial("vera", 204, "Vera Kepala Dinkes", "kepala_badan"),
)
"""Its officials, on the same positions of the organisation, with Telegram ids of their own."""


def register_second_agency(services: Services, *, admin: str | None = "tono") -> None:
    """Add the second agency and register its officials; `admin`: the one who administers it."""
    key, name = SECOND_AGENCY
    agencies.add_agency(services, key=key, name=name)
    for official in SECOND_OFFICIALS:
        officials.register_official(
            services,
            telegram_id=official.telegram_id,
            name=official.name,
            position=official.position,
            unit=official.unit,
            agency_key=key,
            agency_admin=official.key == admin,
        )
